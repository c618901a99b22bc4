#!/usr/bin/env bash
# H100: Vulkan's window shader storing aligned vec2 pairs (uncommitted, .dev/gpu84) against
# 3520a76 (.dev/gpu81), quick conv at batch 64 and 16, alternating; the shallow Vulkan tests.
r=/tmp/r84; mkdir -p $r
pack() { tar czf $OUT/r84.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 120 .dev/gpu84/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests.txt 2>&1; tail -3 $r/tests.txt >> $r/log
for batch in 64 16; do
  for b in gpu84 gpu81 gpu84 gpu81; do
    timeout 90 .dev/$b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q.md 2>&1
    echo "b$batch $b: $(grep -E '3x3 s2 3->32' $r/q.md)" >> $r/log; pack
  done
done
cat $r/log
