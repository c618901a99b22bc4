#!/usr/bin/env bash
# H100 at 45ecec7: the shallow conv tests on the NVIDIA drivers, the shallow kernels on and
# off (the RGB stem now among them), then ci/gpu-bench's conv section at batch 64.
b=.dev/gpu80; r=/tmp/r80; mkdir -p $r
pack() { tar czf $OUT/r80.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_BIN=$b/tandem TANDEM_BENCH_BIN=$b/tandem-bench
(timeout 120 $b/opencl_conv_test --gtest_filter='*Shallow*:*Fused*:*Conv2d*:*AutoPad*' 2>&1 | tail -3
 timeout 120 $b/vulkan_conv_test 2>&1 | tail -3) > $r/tests.txt; pack
for batch in 64 16; do
  for s in on off; do
    TANDEM_OPENCL_SHALLOW_CONV=$s TANDEM_VULKAN_SHALLOW_CONV=$s timeout 90 $b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/quick-b$batch-$s.md 2>&1
    echo "b$batch $s: $(grep -E '3x3 s2 3->32|1x1 32->64' $r/quick-b$batch-$s.md | tr '\n' ' ')" >> $r/log; pack
  done
done
timeout 300 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/conv-batch64.log 2>&1; echo "conv b64 rc=$?" >> $r/log; pack
cat $r/tests.txt $r/log; grep "^| " $r/conv-batch64/bench.md | head -20
