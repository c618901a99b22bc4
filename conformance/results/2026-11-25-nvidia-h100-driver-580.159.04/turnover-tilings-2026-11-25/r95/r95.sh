#!/usr/bin/env bash
# H100: `restrict` on the shallow kernels' buffers in both backends (gpu94r) against
# af24157 (gpu93a): quick conv at batch 64 and 16, alternating; both backends' shallow tests
# with gpu94r.
r=/tmp/r95; mkdir -p $r
pack() { tar czf $OUT/r95.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 60 .dev/gpu94r/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests-vulkan.txt 2>&1; tail -1 $r/tests-vulkan.txt >> $r/log
timeout 90 .dev/gpu94r/opencl_conv_test --gtest_filter='*Shallow*' > $r/tests-opencl.txt 2>&1; tail -1 $r/tests-opencl.txt >> $r/log
for batch in 64 16; do
  for rep in 1 2; do
    for v in gpu94r gpu93a; do
      timeout 60 .dev/$v/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q-$batch-$v-$rep.md 2>&1
      echo "b$batch $v: $(grep -E '3x3 s2 3->32' $r/q-$batch-$v-$rep.md)" >> $r/log
      echo "b$batch $v: $(grep -E '1x1 32->64' $r/q-$batch-$v-$rep.md)" >> $r/log; pack
    done
  done
done
cat $r/log
