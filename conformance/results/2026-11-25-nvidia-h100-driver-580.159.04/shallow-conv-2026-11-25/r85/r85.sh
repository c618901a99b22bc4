#!/usr/bin/env bash
# H100: the Vulkan shallow shaders with their output loops fully unrolled (uncommitted,
# .dev/gpu85) against 3520a76 (.dev/gpu81), quick conv at batch 64 and 16, alternating.
r=/tmp/r85; mkdir -p $r
pack() { tar czf $OUT/r85.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u

for batch in 64 16; do
  for b in gpu85 gpu81 gpu85 gpu81; do
    timeout 90 .dev/$b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q.md 2>&1
    echo "b$batch $b: $(grep -E '3x3 s2 3->32|1x1 32->64' $r/q.md | tr '\n' ' ')" >> $r/log; pack
  done
done
cat $r/log
