#!/usr/bin/env bash
# H100: gemm_tiled.comp 8x8 local memory, continued: vD without the batch arrays in the push
# constants, vE with the store loops nested as conv_gemm.comp nests them, vDE both.
r=/tmp/r111; mkdir -p $r/ir
pack() { tar czf $OUT/r111.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_XP_PIPELINE_STATS=$r/ir TANDEM_VULKAN_GEMM_TILING=128x128x8/8x8
for v in vD vE vDE; do
  timeout 90 .dev/gpu111$v/tandem-bench --device gpu --section gemm --quick --budget-ms 100 > $r/gemm-$v.md 2> $r/gemm-$v.err; pack
  echo "== $v"; grep -h XPSTATS $r/gemm-$v.err | grep gemm_tiled | sort -u | cut -c1-200; grep -E "^\| square" $r/gemm-$v.md
done
