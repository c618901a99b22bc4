#!/usr/bin/env bash
# H100: gpu163 = the shallow window kernels load their inputs before the weights' barrier.
# ci/gpu-bench's conv section at batch 16 and 64; the conformance suite with cold/warm.
r=/tmp/r163; mkdir -p $r
pack() { tar czf $OUT/r163.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_BENCH_BIN=.dev/gpu163/tandem-bench TANDEM_BIN=.dev/gpu163/tandem
timeout 120 ci/gpu-bench $r/conv-batch16 --section conv > $r/bench16.txt 2>&1; echo "bench b16 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 120 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/bench64.txt 2>&1; echo "bench b64 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 150 ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$? at ${SECONDS}s" >> $r/log; pack
cat $r/log
for b in 16 64; do grep -E "^\| (mobilenet|resnet)" $r/conv-batch$b/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9; done
grep -A4 "^backend     device" $r/conformance.txt
grep -A5 "^backend  model" $r/conformance.txt
