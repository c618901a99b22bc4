#!/usr/bin/env bash
# H100: split-K summed by each block's last split (gpu125 = 31a7dea + change.patch.txt) on the
# NVIDIA drivers: the tests that cover it (split tests repeated), the batch-16 and batch-64
# split layers against 31a7dea's binary (gpu123, TANDEM_XP_SKIP_SPLIT_SUM unset) alternating,
# the conformance suite, and whether NVIDIA's OpenCL compiles mem_fence to a device fence.
r=/tmp/r125; mkdir -p $r
pack() { tar czf $OUT/r125.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for t in vulkan_gemm_tiled_test opencl_conv_test vulkan_conv_test vulkan_device_test; do
  timeout 150 .dev/gpu125/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -1 $r/$t.txt >> $r/log; pack
done
timeout 150 .dev/gpu125/vulkan_gemm_tiled_test --gtest_filter='*SplitK*' --gtest_repeat=5 > $r/vk-split-repeat.txt 2>&1; echo "vk split x5 rc=$?" >> $r/log
timeout 150 .dev/gpu125/opencl_conv_test --gtest_filter='*SplitK*' --gtest_repeat=5 > $r/cl-split-repeat.txt 2>&1; echo "cl split x5 rc=$?" >> $r/log; pack
for batch in 16 64; do
  for rep in 1 2; do
    for v in gpu125 gpu123; do
      timeout 90 .dev/$v/tandem-bench --device gpu --section conv --conv-layer "@14" --conv-layer "@7" --conv-batch $batch --budget-ms 300 > $r/b$batch-$v-$rep.md 2>&1
      echo "== b$batch $v $rep" >> $r/log; grep -E "^\| (mobilenet|resnet)" $r/b$batch-$v-$rep.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; pack
    done
  done
done
export XDG_CACHE_HOME=/tmp/r125-cache
TANDEM_BIN=.dev/gpu125/tandem timeout 260 ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$?" >> $r/log; pack
for f in $(grep -rla "split-k" /tmp/r125-cache $HOME/.cache 2>/dev/null | head -5); do
  echo "cache $f: $(grep -ao 'membar[.a-z]*\|fence[.a-z_]*\|atom[.a-z0-9]*' $f | sort | uniq -c | tr '\n' ' ')" >> $r/log
done; pack
cat $r/log; tail -8 $r/conformance.txt
