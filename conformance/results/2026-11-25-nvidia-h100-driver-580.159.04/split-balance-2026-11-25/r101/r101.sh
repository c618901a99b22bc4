#!/usr/bin/env bash
# H100: split-K counts forced (experiment build gpu101: TANDEM_EXP_{OPENCL,VULKAN}_SPLITS with a
# forced tiling) on the batch-16 layers under 40%, to test whether the block count against
# the multiprocessors' slots (wave quantization) is what holds them back.
r=/tmp/r101; mkdir -p $r
pack() { tar czf $OUT/r101.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
run() {  # name, then env
  local name=$1; shift
  env "$@" timeout 60 .dev/gpu101/tandem-bench --device gpu --section conv --conv-layer "1x1 512" --conv-layer "1x1 1024" --conv-layer "3x3 256" --conv-layer "3x3 512" --conv-layer "3x3 s2 64->128" --conv-batch 16 --budget-ms 300 > $r/q16-$name.md 2>&1
  pack
}
pair() {  # opencl tiling, opencl splits, vulkan tiling, vulkan splits
  run "cl-${1//\//_}-s$2--vk-${3//\//_}-s$4" TANDEM_OPENCL_GEMM_TILING=$1/local TANDEM_EXP_OPENCL_SPLITS=$2 TANDEM_VULKAN_GEMM_TILING=$3 TANDEM_EXP_VULKAN_SPLITS=$4
}
run default
for s in 1 2 3 4 5 6 8; do pair 64x128x16/8x8 $s 64x128x16/8x8 $s; done
for s in 2 3 4 5 6 8; do pair 128x128x8/8x8 $s 128x64x16/8x4 $s; done
for s in 1 2 3 4; do pair 64x64x16/4x8 $s 64x64x16/4x4 $s; done
for s in 1 2 3; do pair 64x64x16/4x4 $s 64x64x16/4x8 $s; done
run default2
for f in $r/q16-*.md; do echo "== $f"; grep -E "^\| (mobilenet 1x1|resnet)" $f | cut -d'|' -f2,4,5,6,7; done
