#!/usr/bin/env bash
# H100: Vulkan and OpenCL conv tilings forced on every layer (TANDEM_VULKAN_GEMM_TILING, TANDEM_OPENCL_GEMM_TILING; a forced
# tiling splits K below 96 blocks) at batch 16, against the default choice (c7ea83c + --conv-layer)
# on the 14x14, 7x7 and 3x3 s2 64->128 layers.
r=/tmp/r96; mkdir -p $r
pack() { tar czf $OUT/r96.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
run() {  # name, then env
  local name=$1; shift
  env "$@" timeout 60 .dev/gpu96/tandem-bench --device gpu --section conv --conv-layer "1x1 512" --conv-layer "1x1 1024" --conv-layer "3x3 256" --conv-layer "3x3 512" --conv-layer "3x3 s2 64->128" --conv-batch 16 --budget-ms 300 > $r/q16-$name.md 2>&1
  pack
}
run default
for t in 128x128x8/8x8 128x128x16/8x8 64x128x16/8x8 128x64x16/8x8 64x64x16/4x8 64x64x16/8x8 128x64x16/8x4 64x128x8/8x8; do
  run ${t//\//_} TANDEM_VULKAN_GEMM_TILING=$t TANDEM_OPENCL_GEMM_TILING=$t/local
done
run default2
for f in $r/q16-*.md; do echo "== $f"; grep -E "^\| (mobilenet 1x1|resnet)" $f | cut -d'|' -f2,4,5,6,7; done
