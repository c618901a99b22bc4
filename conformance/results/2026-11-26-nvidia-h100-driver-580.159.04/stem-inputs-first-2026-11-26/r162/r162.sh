#!/usr/bin/env bash
# H100: the shallow kernels load their inputs before the weights' barrier (gpu162) against
# d413be6 (gpu160): the stem and 1x1 32->64 at batch 16 and 64, alternating; the shallow
# conv tests on NVIDIA's OpenCL and Vulkan (sync validation) drivers.
r=/tmp/r162; mkdir -p $r
pack() { tar czf $OUT/r162.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for run in new:1 old:1 new:2 old:2; do
  IFS=: read v rep <<< "$run"
  b=.dev/gpu162; [ $v = old ] && b=.dev/gpu160
  for batch in 16 64; do
    f=$r/$v-b$batch-$rep
    timeout 90 $b/tandem-bench --device gpu --section conv --conv-layer "3->32 @224" --conv-layer "32->64 @112" --conv-batch $batch --budget-ms 250 > $f.md 2> $f.err
    echo "== $v batch $batch ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
timeout 120 .dev/gpu162/opencl_conv_test --gtest_filter='*Shallow*' > $r/opencl_conv_test.txt 2>&1; echo "opencl_conv_test rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|OK|device" $r/opencl_conv_test.txt >> $r/log; pack
timeout 200 .dev/gpu162/vulkan_conv_test --gtest_filter='*Shallow*' > $r/vulkan_conv_test.txt 2>&1; echo "vulkan_conv_test rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|OK" $r/vulkan_conv_test.txt >> $r/log; pack
cat $r/log
