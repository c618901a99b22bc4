#!/usr/bin/env bash
# H100: split-K's second pass with 4 elements an item and the copies' loads issued together
# (gpu126 = 31a7dea + change.patch.txt) on the NVIDIA drivers: the split tests, the batch-16
# split layers against 31a7dea (gpu123, TANDEM_XP_SKIP_SPLIT_SUM unset) alternating, the
# conformance suite, then ci/gpu-bench's batch-16 conv section.
r=/tmp/r126; mkdir -p $r
pack() { tar czf $OUT/r126.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 90 .dev/gpu126/opencl_conv_test > $r/opencl_conv_test.txt 2>&1; echo "opencl_conv_test rc=$?" >> $r/log; tail -1 $r/opencl_conv_test.txt >> $r/log
timeout 90 .dev/gpu126/vulkan_gemm_tiled_test --gtest_filter='*Split*' > $r/vulkan_split.txt 2>&1; echo "vulkan split rc=$?" >> $r/log; tail -1 $r/vulkan_split.txt >> $r/log; pack
for rep in 1 2; do
  for v in gpu126 gpu123; do
    timeout 60 .dev/$v/tandem-bench --device gpu --section conv --conv-layer "@14" --conv-layer "@7" --conv-batch 16 --budget-ms 300 > $r/b16-$v-$rep.md 2>&1
    echo "== b16 $v $rep" >> $r/log; grep -E "^\| (mobilenet|resnet)" $r/b16-$v-$rep.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; pack
  done
done
TANDEM_BIN=.dev/gpu126/tandem timeout 250 ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$? at ${SECONDS}s" >> $r/log; pack
left=$((570 - SECONDS))
if [ $left -gt 60 ]; then
  TANDEM_BENCH_BIN=.dev/gpu126/tandem-bench TANDEM_BIN=.dev/gpu126/tandem timeout $left ci/gpu-bench $r/conv-batch16 --section conv > $r/b16-full.txt 2>&1; pack
fi
cat $r/log; tail -6 $r/conformance.txt
grep -E "^\| (mobilenet|resnet)" $r/conv-batch16/bench.md 2>/dev/null | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9
