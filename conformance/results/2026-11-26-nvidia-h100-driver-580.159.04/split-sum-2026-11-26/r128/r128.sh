#!/usr/bin/env bash
# H100: ci/gpu-bench --section lines models at f2be936 (gpu127): the line and model tables,
# last measured at 3520a76.
r=/tmp/r128; mkdir -p $r
pack() { tar czf $OUT/r128.tgz -C $r .; }
set +e +u
export TANDEM_BENCH_BIN=.dev/gpu127/tandem-bench TANDEM_BIN=.dev/gpu127/tandem
timeout 400 ci/gpu-bench $r/bench-lines-models-f2be936 --section lines models > $r/run.txt 2>&1; pack
grep -E "^\| " $r/bench-lines-models-f2be936/bench.md | head -40
