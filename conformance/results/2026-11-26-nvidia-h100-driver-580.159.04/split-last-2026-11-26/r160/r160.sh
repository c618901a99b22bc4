#!/usr/bin/env bash
# H100: gpu160 = d413be6 (Vulkan split-K in two parts summed by the last split). ci/gpu-bench's
# conv section at batch 16 and 64; the conformance suite with cold/warm; the Vulkan split and
# conv tests on NVIDIA's driver (sync validation).
r=/tmp/r160; mkdir -p $r
pack() { tar czf $OUT/r160.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_BENCH_BIN=.dev/gpu160/tandem-bench TANDEM_BIN=.dev/gpu160/tandem
timeout 120 ci/gpu-bench $r/conv-batch16 --section conv > $r/bench16.txt 2>&1; echo "bench b16 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 120 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/bench64.txt 2>&1; echo "bench b64 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 150 ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$? at ${SECONDS}s" >> $r/log; pack
left=$((585 - SECONDS))
timeout $left .dev/gpu160/vulkan_gemm_tiled_test --gtest_filter='*Split*:*Conv*' > $r/vulkan_gemm_tiled_test.txt 2>&1; echo "vulkan_gemm_tiled_test rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|OK" $r/vulkan_gemm_tiled_test.txt >> $r/log; pack
cat $r/log
for b in 16 64; do grep -E "^\| (mobilenet|resnet)" $r/conv-batch$b/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9; done
grep -A4 "^backend     device" $r/conformance.txt
grep -A5 "^backend  model" $r/conformance.txt
