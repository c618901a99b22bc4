#!/usr/bin/env bash
# H100: is Vulkan's SGEMM held back by specialization constants or by spirv-opt? gpu116
# (x2's tile loop) with gemm_tiled as built (spec constants, -O), as gemm_tiled_fixed (the
# 64x128x16/4x8 vec4 tiling and a workgroup of 256 as plain constants) and as
# gemm_tiled_noopt (glslc -O0); then r115's batch-16 conv layers again for x2 and 18a1617.
r=/tmp/r116; mkdir -p $r
pack() { tar czf $OUT/r116.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for m in asbuilt gemm_tiled_fixed gemm_tiled_noopt; do
  if [ $m = asbuilt ]; then unset TANDEM_XP_GEMM_MODULE; else export TANDEM_XP_GEMM_MODULE=$m; fi
  timeout 110 .dev/gpu116/tandem-bench --device gpu --section gemm --budget-ms 300 > $r/gemm-$m.md 2>&1; pack
done
unset TANDEM_XP_GEMM_MODULE
for v in gpu115x2 gpu110; do
  timeout 80 .dev/$v/tandem-bench --device gpu --section conv --conv-layer "3x3 256" --conv-layer "3x3 512" --conv-batch 16 --budget-ms 300 > $r/conv16-$v.md 2>&1; pack
done
for f in $r/gemm-*.md; do echo "== $f"; grep -E "XP|^\| (square|trans)" $f | cut -d'|' -f2,3,4,5,7,8; done
for f in $r/conv16-*.md; do echo "== $f"; grep -E "^\| (mobilenet|resnet)" $f | cut -d'|' -f2,4,5,6,7; done
