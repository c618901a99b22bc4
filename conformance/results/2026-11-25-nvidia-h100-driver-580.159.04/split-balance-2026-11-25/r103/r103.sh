#!/usr/bin/env bash
# H100: Vulkan 128 x 128 / 8 x 8 blocks with forced split counts (experiment build gpu103:
# TANDEM_EXP_VULKAN_SPLITS with TANDEM_VULKAN_GEMM_TILING) on the batch-16 14x14 layers, where
# OpenCL's 128 x 128 in 5 parts reached 41%.
r=/tmp/r103; mkdir -p $r
pack() { tar czf $OUT/r103.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
run() {  # name, then env
  local name=$1; shift
  env "$@" timeout 60 .dev/gpu103/tandem-bench --device gpu --section conv --conv-layer "1x1 512->512" --conv-layer "1x1 1024" --conv-layer "3x3 256" --conv-batch 16 --budget-ms 300 > $r/q16-$name.md 2>&1
  pack
}
run default
for t in 128x128x8/8x8 128x128x16/8x8; do
  for s in 1 2 4 5 6; do
    run "vk-${t//\//_}-s$s" TANDEM_VULKAN_GEMM_TILING=$t TANDEM_EXP_VULKAN_SPLITS=$s
  done
done
run default2
for f in $r/q16-*.md; do echo "== $f"; grep -E "^\| (mobilenet 1x1|resnet)" $f | cut -d'|' -f2,6,7; done
