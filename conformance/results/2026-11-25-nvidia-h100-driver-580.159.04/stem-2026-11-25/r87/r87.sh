#!/usr/bin/env bash
# H100: (1) the stem standalone timed as tandem runs it ("run": x written before each launch,
# y read after); (2) quad rows in both backends' window kernels, OpenCL's output loop
# unrolled by 2 (gpu87q) or 4 (gpu87q4), against c1e132a (gpu86): quick conv, batch 64 and
# 16, alternating; the shallow tests of both backends with gpu87q.
r=/tmp/r87; mkdir -p $r
pack() { tar czf $OUT/r87.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 150 .dev/gpu87q/stem_conv 64 run > $r/stem-b64-run.txt 2>&1; pack
timeout 60 .dev/gpu87q/stem_conv 16 run > $r/stem-b16-run.txt 2>&1; pack
timeout 120 .dev/gpu87q/opencl_conv_test --gtest_filter='*Shallow*' > $r/tests-opencl.txt 2>&1; tail -3 $r/tests-opencl.txt >> $r/log
timeout 120 .dev/gpu87q/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests-vulkan.txt 2>&1; tail -3 $r/tests-vulkan.txt >> $r/log
for batch in 64 16; do
  for b in gpu87q gpu87q4 gpu86 gpu87q gpu87q4 gpu86; do
    timeout 90 .dev/$b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q-$batch-$b.md 2>&1
    echo "b$batch $b: $(grep -E '3x3 s2 3->32' $r/q-$batch-$b.md)" >> $r/log; pack
  done
done
cat $r/log; grep -v "^  local 256\|^  local  64" $r/stem-b64-run.txt
