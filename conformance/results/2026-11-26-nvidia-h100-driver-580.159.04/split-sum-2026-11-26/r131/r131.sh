#!/usr/bin/env bash
# H100: f50923c (gpu131; Vulkan's 1x1 layers with few 128 x 128 blocks may split 64 x 64
# blocks) on the NVIDIA drivers: the Vulkan tile-loop and conv tests, the conformance suite,
# then ci/gpu-bench's batch-16 conv section with cuDNN.
r=/tmp/r131; mkdir -p $r
pack() { tar czf $OUT/r131.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for t in vulkan_gemm_tiled_test vulkan_conv_test; do
  timeout 100 .dev/gpu131/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -1 $r/$t.txt >> $r/log; pack
done
TANDEM_BIN=.dev/gpu131/tandem timeout 250 ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$? at ${SECONDS}s" >> $r/log; pack
left=$((570 - SECONDS))
TANDEM_BENCH_BIN=.dev/gpu131/tandem-bench TANDEM_BIN=.dev/gpu131/tandem timeout $left ci/gpu-bench $r/conv-batch16-f50923c --section conv > $r/b16.txt 2>&1; pack
cat $r/log; grep -A4 "^backend     device" $r/conformance.txt
grep -E "^\| (mobilenet|resnet)" $r/conv-batch16-f50923c/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9
