#!/usr/bin/env bash
# H100: gemm_tiled.comp's store loops nested as conv_gemm.comp's (no local memory with 8x8
# micro-tiles, r111) and Vulkan SGEMM on 128x128x8/8x8 for vec4 operands (gpu112) against
# 18a1617 (gpu110), alternating; then the Vulkan GEMM tests on the NVIDIA driver.
r=/tmp/r112; mkdir -p $r
pack() { tar czf $OUT/r112.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for rep in 1 2; do
  for v in gpu112 gpu110; do
    timeout 110 .dev/$v/tandem-bench --device gpu --section gemm --budget-ms 300 > $r/gemm-$v-$rep.md 2>&1; pack
  done
done
for t in vulkan_gemm_tiled_test vulkan_gemm_test; do
  timeout 120 .dev/gpu112/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -2 $r/$t.txt >> $r/log; pack
done
for f in $r/gemm-*.md; do echo "== $f"; grep -E "^\| (square|trans|mob)" $f | cut -d'|' -f2,3,4,5,7,8; done
cat $r/log
