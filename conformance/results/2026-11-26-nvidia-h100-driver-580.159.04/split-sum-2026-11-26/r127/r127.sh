#!/usr/bin/env bash
# H100: ci/gpu-bench --section conv --conv-batch 64 at f2be936 (gpu127: split-K's second pass
# with 4 outputs an item), cuDNN in the same run.
r=/tmp/r127; mkdir -p $r
pack() { tar czf $OUT/r127.tgz -C $r .; }
set +e +u
export TANDEM_BENCH_BIN=.dev/gpu127/tandem-bench TANDEM_BIN=.dev/gpu127/tandem
timeout 330 ci/gpu-bench $r/conv-batch64-f2be936 --section conv --conv-batch 64 > $r/b64.txt 2>&1; pack
grep -E "^\| (mobilenet|resnet)" $r/conv-batch64-f2be936/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9
