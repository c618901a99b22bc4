#!/usr/bin/env bash
# H100: 8c63e3e (gpu135): ci/gpu-bench's conv section at batch 16, then at batch 64, cuDNN
# in the same runs.
r=/tmp/r136; mkdir -p $r
pack() { tar czf $OUT/r136.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_BENCH_BIN=.dev/gpu135/tandem-bench TANDEM_BIN=.dev/gpu135/tandem
timeout 280 ci/gpu-bench $r/conv-batch16-8c63e3e --section conv > $r/b16.txt 2>&1; echo "b16 rc=$? ${SECONDS}s" >> $r/log; pack
left=$((585 - SECONDS))
timeout $left ci/gpu-bench $r/conv-batch64-8c63e3e --section conv --conv-batch 64 > $r/b64.txt 2>&1; echo "b64 rc=$? ${SECONDS}s" >> $r/log; pack
cat $r/log
for b in 16 64; do grep -E "^\| (mobilenet|resnet)" $r/conv-batch$b-8c63e3e/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9; done
