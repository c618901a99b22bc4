#!/usr/bin/env bash
# H100 at 3520a76: ci/gpu-bench's conv section at batch 64; the models section alone, with
# both drivers and with OpenCL alone (whether the Vulkan driver in the process slows
# OpenCL's steady runs).
r=/tmp/r83; mkdir -p $r
pack() { tar czf $OUT/r83.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_BIN=.dev/gpu81/tandem TANDEM_BENCH_BIN=.dev/gpu81/tandem-bench
timeout 300 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/conv-batch64.log 2>&1; echo "conv b64 rc=$?" >> $r/log; pack
timeout 100 .dev/gpu81/tandem-bench --device gpu --section models --models-dir examples > $r/models-both.md 2>&1; pack
VK_DRIVER_FILES=/nonexistent.json timeout 100 .dev/gpu81/tandem-bench --device gpu --section models --models-dir examples > $r/models-opencl-alone.md 2>&1; pack
cat $r/log; grep "^| " $r/conv-batch64/bench.md | head -20; grep "onnx" $r/models-*.md
