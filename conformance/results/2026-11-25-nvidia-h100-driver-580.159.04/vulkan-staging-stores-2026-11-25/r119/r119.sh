#!/usr/bin/env bash
# H100: the candidate (gpu119: B's staging stores at one address per K step plus constants,
# A's as before, the multiply's reads indexed as OpenCL's): the Vulkan GEMM and conv tests on
# the NVIDIA driver, the conv section at batch 16 and 64, and SGEMM.
r=/tmp/r119; mkdir -p $r
pack() { tar czf $OUT/r119.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
B=.dev/gpu119/tandem-bench
for t in vulkan_gemm_tiled_test vulkan_conv_test vulkan_gemm_test; do
  timeout 120 .dev/gpu119/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -1 $r/$t.txt >> $r/log; pack
done
timeout 80 $B --device gpu --section conv --conv-batch 16 --budget-ms 200 > $r/conv16.md 2>&1; pack
timeout 150 $B --device gpu --section conv --conv-batch 64 --budget-ms 150 > $r/conv64.md 2>&1; pack
timeout 100 $B --device gpu --section gemm --budget-ms 200 > $r/gemm.md 2>&1; pack
cat $r/log
for f in $r/conv16.md $r/conv64.md; do echo "== $f"; grep -E "^\| (mobilenet|resnet)" $f | grep -v " dw " | cut -d'|' -f2,4,5,6,7; done
grep -E "^\| (square|trans)" $r/gemm.md | cut -d'|' -f2,3,4,5,7,8
