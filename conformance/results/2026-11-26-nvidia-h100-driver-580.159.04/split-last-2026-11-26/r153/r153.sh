#!/usr/bin/env bash
# H100: gpu153 = eb03f89 + Vulkan split-K summed by each block's last split (tickets), no
# second pass. The Vulkan tile-loop and conv tests on NVIDIA (sync validation), then the
# batch-16 and batch-64 conv layers per layer, gpu148 (2ba9511) and gpu153 alternating.
r=/tmp/r153; mkdir -p $r
pack() { tar czf $OUT/r153.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for t in vulkan_gemm_tiled_test vulkan_conv_test; do
  timeout 100 .dev/gpu153/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -1 $r/$t.txt >> $r/log; pack
done
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for rep in 1 2; do
  for v in 148 153; do
    for b in 16 64; do
      f=$r/gpu$v-b$b-$rep
      timeout 90 $([ $v = 148 ] && echo .dev/gpu153/old || echo .dev/gpu153)/tandem-bench --device gpu --section conv --conv-batch $b --budget-ms 250 > $f.md 2> $f.err
      echo "== gpu$v batch $b ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
    done
  done
done
cat $r/log
