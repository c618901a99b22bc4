#!/usr/bin/env bash
# H100: Vulkan's tile loop indexed as OpenCL's (x1: the multiply's shared-memory reads as
# kk * (BM / 4) + r * THREADS_M + ty; x2: also the staging stores as one address per K step
# plus constants) against 18a1617 (gpu110): SGEMM, then the batch-16 conv layers under 40%,
# then the Vulkan GEMM and conv tests of x2 on the NVIDIA driver.
r=/tmp/r115; mkdir -p $r
pack() { tar czf $OUT/r115.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for v in gpu110 gpu115x1 gpu115x2; do
  timeout 110 .dev/$v/tandem-bench --device gpu --section gemm --budget-ms 300 > $r/gemm-$v.md 2>&1; pack
done
for v in gpu110 gpu115x1 gpu115x2; do
  timeout 80 .dev/$v/tandem-bench --device gpu --section conv --conv-layer "1x1 512" --conv-layer "1x1 1024" --conv-layer "3x3 256" --conv-layer "3x3 512" --conv-layer "3x3 s2 64->128" --conv-batch 16 --budget-ms 300 > $r/conv16-$v.md 2>&1; pack
done
for t in vulkan_gemm_tiled_test vulkan_conv_test; do
  timeout 150 .dev/gpu115x2/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -2 $r/$t.txt >> $r/log; pack
done
for f in $r/gemm-*.md; do echo "== $f"; grep -E "^\| (square|trans|mob)" $f | cut -d'|' -f2,3,4,5,7,8; done
for f in $r/conv16-*.md; do echo "== $f"; grep -E "^\| (mobilenet|resnet)" $f | cut -d'|' -f2,4,5,6,7; done
cat $r/log
