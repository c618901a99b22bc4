#!/usr/bin/env bash
# H100: Vulkan's quad shader with output channels 2 a step and no bound test inside the step
# (gpu93a), the same without `writeonly` on y (gpu93b), against e7e5e92 (gpu92): quick conv
# at batch 64 and 16, alternating; Vulkan's shallow tests with gpu93a; ci/gpu-bench's conv
# section at batch 64 and 16 with gpu93a (OpenCL as in e7e5e92).
r=/tmp/r93; mkdir -p $r
pack() { tar czf $OUT/r93.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 60 .dev/gpu93a/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests-vulkan.txt 2>&1; tail -1 $r/tests-vulkan.txt >> $r/log
for batch in 64 16; do
  for rep in 1 2; do
    for v in gpu93a gpu93b gpu92; do
      timeout 60 .dev/$v/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q-$batch-$v-$rep.md 2>&1
      echo "b$batch $v: $(grep -E '3x3 s2 3->32' $r/q-$batch-$v-$rep.md)" >> $r/log; pack
    done
  done
done
export TANDEM_BIN=.dev/gpu92/tandem TANDEM_BENCH_BIN=.dev/gpu93a/tandem-bench
timeout 150 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/conv-batch64.log 2>&1; echo "conv b64 rc=$?" >> $r/log; pack
timeout 130 ci/gpu-bench $r/conv-batch16 --section conv > $r/conv-batch16.log 2>&1; echo "conv b16 rc=$?" >> $r/log; pack
cat $r/log; grep -E "3x3 s2 3->32|1x1 32->64" $r/conv-batch64/bench.md $r/conv-batch16/bench.md
