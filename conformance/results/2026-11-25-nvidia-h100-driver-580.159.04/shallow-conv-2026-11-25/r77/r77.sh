#!/usr/bin/env bash
# H100: (1) a streaming 1x1 32->64 kernel, standalone (.dev/sc/stream_conv.cpp), batch 64 and
# 16; (2) where the example models' OpenCL steady latency goes: per-dispatch event times
# (TANDEM_XP_DUMP), runs without events (TANDEM_XP_EVENTS), Vulkan beside; the models section.
b=.dev/gpu77; r=/tmp/r77; mkdir -p $r
pack() { tar czf $OUT/r77.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 90 $b/stream_conv 64 112 > $r/stream-b64.txt 2>&1; pack
timeout 60 $b/stream_conv 16 112 > $r/stream-b16.txt 2>&1; pack
for m in mobilenet_tiny transformer_block; do
  for be in opencl vulkan; do
    timeout 60 $b/tandem run examples/$m.onnx --backend $be --device gpu --repeat 300 > $r/run-$m-$be.txt 2>&1
  done
  TANDEM_XP_DUMP=$r/dump-$m.txt timeout 60 $b/tandem run examples/$m.onnx --backend opencl --device gpu --repeat 300 > $r/run-$m-opencl-dump.txt 2>&1
  TANDEM_XP_EVENTS=none timeout 60 $b/tandem run examples/$m.onnx --backend opencl --device gpu --repeat 300 > $r/run-$m-opencl-noevents.txt 2>&1
  pack
done
timeout 200 $b/tandem-bench --device gpu --section models --models-dir examples > $r/models.md 2>&1; pack
grep -h "time\|backend" $r/run-*.txt; cat $r/stream-b*.txt; tail -6 $r/models.md
