#!/usr/bin/env bash
# H100 at 3ffcfb8 (quad rows): the shallow tests of both backends; ci/gpu-bench's conv section
# at batch 64 and at batch 16; ci/gpu-conformance.
r=/tmp/r89; mkdir -p $r
pack() { tar czf $OUT/r89.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
b=.dev/gpu89
timeout 60 $b/opencl_conv_test --gtest_filter='*Shallow*' > $r/tests-opencl.txt 2>&1; tail -1 $r/tests-opencl.txt >> $r/log
timeout 60 $b/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests-vulkan.txt 2>&1; tail -1 $r/tests-vulkan.txt >> $r/log
export TANDEM_BIN=$b/tandem TANDEM_BENCH_BIN=$b/tandem-bench
timeout 150 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/conv-batch64.log 2>&1; echo "conv b64 rc=$?" >> $r/log; pack
timeout 130 ci/gpu-bench $r/conv-batch16 --section conv > $r/conv-batch16.log 2>&1; echo "conv b16 rc=$?" >> $r/log; pack
timeout 220 ci/gpu-conformance $r/conformance > $r/conformance.log 2>&1; echo "conformance rc=$?" >> $r/log; pack
cat $r/log; grep "^| " $r/conv-batch64/bench.md | head -24; grep -E "3x3 s2 3->32" $r/conv-batch16/bench.md; tail -12 $r/conformance.log
