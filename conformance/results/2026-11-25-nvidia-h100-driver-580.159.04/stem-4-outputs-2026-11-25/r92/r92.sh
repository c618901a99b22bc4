#!/usr/bin/env bash
# H100 at the 4-output stem (gpu92, uncommitted tree = next commit): the shallow tests of both
# backends; quick conv at batch 64 and 16 alternating with 96dd5fd (gpu90's binary, no
# experiment switches set); ci/gpu-bench's conv section at batch 64 and 16.
r=/tmp/r92; mkdir -p $r
pack() { tar czf $OUT/r92.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
b=.dev/gpu92
timeout 60 $b/opencl_conv_test --gtest_filter='*Shallow*' > $r/tests-opencl.txt 2>&1; tail -1 $r/tests-opencl.txt >> $r/log
timeout 60 $b/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests-vulkan.txt 2>&1; tail -1 $r/tests-vulkan.txt >> $r/log
pack
for batch in 64 16; do
  for rep in 1 2; do
    for v in gpu92 gpu90; do
      timeout 60 .dev/$v/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q-$batch-$v-$rep.md 2>&1
      echo "b$batch $v: $(grep -E '3x3 s2 3->32' $r/q-$batch-$v-$rep.md)" >> $r/log; pack
    done
  done
done
export TANDEM_BIN=$b/tandem TANDEM_BENCH_BIN=$b/tandem-bench
timeout 150 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/conv-batch64.log 2>&1; echo "conv b64 rc=$?" >> $r/log; pack
timeout 130 ci/gpu-bench $r/conv-batch16 --section conv > $r/conv-batch16.log 2>&1; echo "conv b16 rc=$?" >> $r/log; pack
cat $r/log; grep "^| " $r/conv-batch64/bench.md | head -24; grep -E "3x3 s2 3->32" $r/conv-batch16/bench.md
