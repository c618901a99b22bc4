#!/usr/bin/env bash
# H100: Vulkan's stem on a shader of its own, conv_quad_shallow.comp (vec4 loads, vec2
# stores, no buffer declared twice; gpu88b), its output loop unrolled by 2 (gpu88c), against
# the window shader with quad rows (gpu87q): quick conv, batch 64 and 16, alternating; the
# shallow tests of both backends with gpu88b.
r=/tmp/r88; mkdir -p $r
pack() { tar czf $OUT/r88.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 120 .dev/gpu88b/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests-vulkan.txt 2>&1; tail -1 $r/tests-vulkan.txt >> $r/log
timeout 120 .dev/gpu88b/opencl_conv_test --gtest_filter='*Shallow*' > $r/tests-opencl.txt 2>&1; tail -1 $r/tests-opencl.txt >> $r/log
for batch in 64 16; do
  for b in gpu88b gpu88c gpu87q gpu88b gpu88c gpu87q; do
    timeout 90 .dev/$b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q-$batch-$b.md 2>&1
    echo "b$batch $b: $(grep -E '3x3 s2 3->32' $r/q-$batch-$b.md)" >> $r/log; pack
  done
done
cat $r/log
