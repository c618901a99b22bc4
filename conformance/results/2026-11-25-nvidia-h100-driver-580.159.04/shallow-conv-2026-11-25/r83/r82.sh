#!/usr/bin/env bash
# H100 at 3520a76: the whole ci/gpu-bench (batch 16) for docs/performance.md.
r=/tmp/r82; mkdir -p $r
pack() { tar czf $OUT/r82.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_BIN=.dev/gpu81/tandem TANDEM_BENCH_BIN=.dev/gpu81/tandem-bench
timeout 540 ci/gpu-bench $r/bench > $r/bench.log 2>&1; echo "gpu-bench rc=$?" >> $r/log; pack
cat $r/log; grep "^| " $r/bench/bench.md | head -60
