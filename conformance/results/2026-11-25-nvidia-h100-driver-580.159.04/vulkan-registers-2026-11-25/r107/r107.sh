#!/usr/bin/env bash
# H100: register counts of Vulkan's tile-loop pipelines (VK_KHR_pipeline_executable_properties,
# the uncommitted r90 hook) on the batch-16/64 conv layers and SGEMM tilings.
r=/tmp/r107; mkdir -p $r/ir
pack() { tar czf $OUT/r107.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
B=.dev/gpu107/tandem-bench
export TANDEM_XP_PIPELINE_STATS=$r/ir
timeout 120 $B --device gpu --section conv --conv-batch 16 --budget-ms 200 > $r/conv16.md 2> $r/conv16.err; pack
timeout 120 $B --device gpu --section conv --conv-batch 64 --budget-ms 200 > $r/conv64.md 2> $r/conv64.err; pack
for t in 128x128x8/8x8 128x128x16/8x8 64x128x16/8x8 64x128x8/8x8 128x64x16/8x4; do
  n=$(echo $t | tr '/' '_')
  TANDEM_VULKAN_GEMM_TILING=$t timeout 100 $B --device gpu --section gemm --quick --budget-ms 200 > $r/gemm-$n.md 2> $r/gemm-$n.err; pack
done
grep -h XPSTATS $r/*.err | sort | uniq -c | sort -k2 | cut -c1-300
for f in $r/conv16.md $r/conv64.md $r/gemm-*.md; do echo "== $f"; grep -E "^\| " $f | head -20; done
