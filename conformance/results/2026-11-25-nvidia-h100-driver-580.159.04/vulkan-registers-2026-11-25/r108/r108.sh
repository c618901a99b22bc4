#!/usr/bin/env bash
# H100: gemm_tiled.comp with alpha/beta applied before the store loops (no branch per
# element): registers, local memory and speed of the 8x8 tilings against the default.
r=/tmp/r108; mkdir -p $r/ir
pack() { tar czf $OUT/r108.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
B=.dev/gpu108/tandem-bench
export TANDEM_XP_PIPELINE_STATS=$r/ir
run() { n=$1; shift; env "$@" timeout 150 $B --device gpu --section gemm --budget-ms 300 $Q > $r/gemm-$n.md 2> $r/gemm-$n.err; pack; }
Q=--quick run quick-64x128x16_8x8 TANDEM_VULKAN_GEMM_TILING=64x128x16/8x8
Q= run default-1 X=1
Q= run 128x128x8_8x8-1 TANDEM_VULKAN_GEMM_TILING=128x128x8/8x8
Q= run 128x128x8_8x8-2 TANDEM_VULKAN_GEMM_TILING=128x128x8/8x8
grep -h XPSTATS $r/*.err | grep gemm_tiled | sort | uniq -c | cut -c1-300
for f in $r/gemm-*.md; do echo "== $f"; grep -E "^\| " $f | head -20; done
