#!/usr/bin/env bash
# H100: the OpenCL shallow kernels' float4 weight loads (HEAD) against 303f6bf's pointwise
# kernel (.dev/gpu78), quick conv at batch 64 and 16, then ci/gpu-conformance at HEAD.
r=/tmp/r81; mkdir -p $r
pack() { tar czf $OUT/r81.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for batch in 64 16; do
  for b in gpu81 gpu78 gpu81; do
    timeout 90 .dev/$b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/quick-b$batch-$b.md 2>&1
    echo "b$batch $b: $(grep -E '3x3 s2 3->32|1x1 32->64' $r/quick-b$batch-$b.md | tr '\n' ' ')" >> $r/log; pack
  done
done
export TANDEM_BIN=.dev/gpu81/tandem
timeout 400 ci/gpu-conformance $r/conformance > $r/conformance.log 2>&1; echo "conformance rc=$?" >> $r/log; pack
cat $r/log; tail -25 $r/conformance.log
