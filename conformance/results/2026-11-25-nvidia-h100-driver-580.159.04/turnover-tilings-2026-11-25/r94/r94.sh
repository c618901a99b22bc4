#!/usr/bin/env bash
# H100: do the memory-bound shallow convs lose time to work-group turnover? Standalone
# (.dev/x94/shallow_persist): the stem and 1x1 32->64 at batch 64 and 16 with 1, 2 or 4
# items a work item or a persistent grid of CUs x G groups, and streams of their bytes
# looping the same way; tandem's quick conv section (af24157's build) for the same run's
# reference.
r=/tmp/r94; mkdir -p $r
pack() { tar czf $OUT/r94.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for layer in stem pw; do
  for batch in 64 16; do
    timeout 120 .dev/x94/shallow_persist $batch $layer > $r/$layer-b$batch.txt 2>&1; pack
  done
done
for batch in 64 16; do
  timeout 60 .dev/gpu93a/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q-$batch.md 2>&1
  grep -E '3x3 s2 3->32|1x1 32->64' $r/q-$batch.md >> $r/log; pack
done
cat $r/log; cat $r/stem-b64.txt $r/pw-b16.txt
