#!/usr/bin/env bash
# H100: OpenCL's stem kernel with the window's sizes as kernel arguments instead of a buffer
# (gpu97a), the same with the quad output loop unrolled by 4 (gpu97b), against c7ea83c
# (gpu96): the stem alone, batch 64 and 16, alternating; OpenCL's conv tests with gpu97a.
r=/tmp/r97; mkdir -p $r
pack() { tar czf $OUT/r97.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 120 .dev/gpu97a/opencl_conv_test > $r/tests-opencl.txt 2>&1; tail -1 $r/tests-opencl.txt >> $r/log
for batch in 64 16; do
  for rep in 1 2 3; do
    for v in gpu97a gpu97b gpu96; do
      timeout 60 .dev/$v/tandem-bench --device gpu --section conv --conv-layer "3x3 s2 3->32" --conv-batch $batch --budget-ms 300 > $r/q-$batch-$v-$rep.md 2>&1
      echo "b$batch $v: $(grep -E '3x3 s2 3->32' $r/q-$batch-$v-$rep.md)" >> $r/log; pack
    done
  done
done
cat $r/log
