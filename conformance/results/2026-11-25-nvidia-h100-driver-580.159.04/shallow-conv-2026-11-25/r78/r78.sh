#!/usr/bin/env bash
# H100 at 303f6bf: the shallow pointwise kernels (OpenCL, Vulkan) on and off, their conv
# tests on the NVIDIA drivers, then the whole ci/gpu-bench (batch 16).
b=.dev/gpu78; r=/tmp/r78; mkdir -p $r
pack() { tar czf $OUT/r78.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_BIN=$b/tandem TANDEM_BENCH_BIN=$b/tandem-bench
(timeout 120 $b/opencl_conv_test --gtest_filter='*Streamed*:*Fused*:*Conv2d*:*OneAndThree*' 2>&1 | tail -4
 timeout 60 $b/opencl_executable_test --gtest_filter='*DeviceTime*' 2>&1 | tail -2
 timeout 120 $b/vulkan_conv_test --gtest_filter='*Shallow*:*Pointwise*:*Fused*' 2>&1 | tail -4) > $r/tests.txt; pack
for batch in 64 16; do
  for s in on off; do
    TANDEM_OPENCL_SHALLOW_POINTWISE=$s TANDEM_VULKAN_SHALLOW_POINTWISE=$s timeout 90 $b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/quick-b$batch-$s.md 2>&1
    echo "b$batch $s: $(grep '1x1 32->64' $r/quick-b$batch-$s.md)" >> $r/log; pack
  done
done
timeout 330 ci/gpu-bench $r/bench > $r/bench.log 2>&1; echo "gpu-bench rc=$?" >> $r/log; pack
cat $r/tests.txt $r/log; grep -A6 "Example models" $r/bench/bench.md
