#!/usr/bin/env bash
# H100: register counts (the r90 statistics hook) and the batch-16 conv layers for x1
# (gpu117a: the multiply's reads re-indexed) and x2 (gpu117b: also the staging stores at one
# address per K step plus constants), to explain why x2 lifts 3x3 512->512 @7 (64 x 128 /
# 8 x 8 split) from 37.7% to 40.1% and drops 3x3 256->256 @14 (128 x 64 / 8 x 4 split) from
# 37.9% to 31.9% (r115, r116).
r=/tmp/r117; mkdir -p $r/ira $r/irb
pack() { tar czf $OUT/r117.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for v in a b; do
  TANDEM_XP_PIPELINE_STATS=$r/ir$v timeout 150 .dev/gpu117$v/tandem-bench --device gpu --section conv --conv-batch 16 --budget-ms 200 > $r/conv16-$v.md 2> $r/conv16-$v.err; pack
done
for v in a b; do
  TANDEM_XP_PIPELINE_STATS=$r/ir$v timeout 100 .dev/gpu117$v/tandem-bench --device gpu --section gemm --quick --budget-ms 200 > $r/gemm-$v.md 2> $r/gemm-$v.err; pack
done
for v in a b; do echo "== $v"; grep -h XPSTATS $r/*-$v.err | grep -E "conv_gemm|gemm_tiled" | sort -u | cut -c1-250; done
for f in $r/conv16-*.md; do echo "== $f"; grep -E "^\| (mobilenet|resnet)" $f | cut -d'|' -f2,4,5,6,7; done
