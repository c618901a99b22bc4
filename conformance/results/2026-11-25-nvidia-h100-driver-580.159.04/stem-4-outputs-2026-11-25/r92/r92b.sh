#!/usr/bin/env bash
# H100 at the 4-output stem (gpu92): ci/gpu-conformance.
r=/tmp/r92b; mkdir -p $r
pack() { tar czf $OUT/r92b.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_BIN=.dev/gpu92/tandem TANDEM_BENCH_BIN=.dev/gpu92/tandem-bench
timeout 280 ci/gpu-conformance $r/conformance > $r/conformance.log 2>&1; echo "conformance rc=$?" >> $r/log; pack
cat $r/log; tail -12 $r/conformance.log
