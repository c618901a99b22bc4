#!/usr/bin/env bash
# H100: (1) the stem standalone (.dev/sc/stem_conv.cpp): row loads, 4 positions, split
# output channels, against tandem's design, and the stem's own read/write stream as the bound;
# (2) Vulkan: the output loop unrolled by 4 (gpu86u) and workgroups of 256 (gpu86w) against
# c1e132a (gpu86), quick conv at batch 64, alternating; the shallow Vulkan tests with gpu86u.
r=/tmp/r86; mkdir -p $r
pack() { tar czf $OUT/r86.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 120 .dev/gpu86/stem_conv 64 > $r/stem-b64.txt 2>&1; pack
timeout 90 .dev/gpu86/stem_conv 16 > $r/stem-b16.txt 2>&1; pack
timeout 120 .dev/gpu86u/vulkan_conv_test --gtest_filter='*Shallow*' > $r/tests.txt 2>&1; tail -3 $r/tests.txt >> $r/log
for b in gpu86u gpu86w gpu86 gpu86u gpu86w gpu86; do
  timeout 90 .dev/$b/tandem-bench --device gpu --section conv --quick --conv-batch 64 --budget-ms 300 > $r/q-$b.md 2>&1
  echo "b64 $b: $(grep -E '3x3 s2 3->32|1x1 32->64' $r/q-$b.md | tr '\n' ' ')" >> $r/log; pack
done
cat $r/log; cat $r/stem-b64.txt
