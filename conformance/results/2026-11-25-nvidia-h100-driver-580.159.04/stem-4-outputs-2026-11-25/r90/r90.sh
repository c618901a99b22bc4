#!/usr/bin/env bash
# H100 at 96dd5fd plus experiment hooks (gpu90): (1) the shallow tests of both backends
# (96dd5fd's window kernel on the NVIDIA drivers); (2) NVIDIA's Vulkan pipeline statistics
# (VK_KHR_pipeline_executable_properties, TANDEM_XP_PIPELINE_STATS) for the conv layers, with
# and without the 4-position stem shader; (3) the stem with 4 outputs per item
# (TANDEM_XP_STEM4: Vulkan vec4 or scalar stores; OpenCL float4 stores, output loop unrolled
# by 1 or 2) against 96dd5fd: quick conv at batch 64 and 16, alternating.
r=/tmp/r90; mkdir -p $r/ir-base $r/ir-vec4 $r/ir-scalar
pack() { tar czf $OUT/r90.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
b=.dev/gpu90
timeout 60 $b/opencl_conv_test --gtest_filter='*Shallow*' > $r/tests-opencl.txt 2>&1; tail -1 $r/tests-opencl.txt >> $r/log
timeout 60 $b/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests-vulkan.txt 2>&1; tail -1 $r/tests-vulkan.txt >> $r/log
TANDEM_XP_STEM4=1 timeout 60 $b/opencl_conv_test --gtest_filter='*ShallowKernels*' > $r/tests-opencl-q4.txt 2>&1; tail -1 $r/tests-opencl-q4.txt >> $r/log
TANDEM_XP_STEM4=vec4 timeout 60 $b/vulkan_conv_test --gtest_filter='*ShallowKernels*' > $r/tests-vulkan-q4.txt 2>&1; tail -1 $r/tests-vulkan-q4.txt >> $r/log
pack
TANDEM_XP_PIPELINE_STATS=$r/ir-base timeout 60 $b/tandem-bench --device gpu --section conv --quick --conv-batch 16 --budget-ms 30 > $r/stats-base.md 2> $r/stats-base.err
TANDEM_XP_STEM4=vec4 TANDEM_XP_PIPELINE_STATS=$r/ir-vec4 timeout 60 $b/tandem-bench --device gpu --section conv --quick --conv-batch 16 --budget-ms 30 > $r/stats-vec4.md 2> $r/stats-vec4.err
TANDEM_XP_STEM4=scalar TANDEM_XP_PIPELINE_STATS=$r/ir-scalar timeout 60 $b/tandem-bench --device gpu --section conv --quick --conv-batch 16 --budget-ms 30 > $r/stats-scalar.md 2> $r/stats-scalar.err
grep -h XPSTATS $r/stats-*.err | grep -i "window\|quad4\|pointwise_shallow" | sort -u >> $r/log; pack
run() {  # name, env...
  local name=$1; shift
  env "$@" timeout 90 $b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q-$batch-$name-$rep.md 2>&1
  echo "b$batch $name: $(grep -E '3x3 s2 3->32' $r/q-$batch-$name-$rep.md)" >> $r/log; pack
}
for batch in 64 16; do
  for rep in 1 2; do
    run base X=1
    run q4vec4-u1 TANDEM_XP_STEM4=vec4
    run q4scalar-u2 TANDEM_XP_STEM4=scalar TANDEM_XP_STEM4_UNROLL=2
  done
done
cat $r/log
