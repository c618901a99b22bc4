#!/usr/bin/env bash
# H100: gpu148 = 313ce05 + [K][M] conv weights (Vulkan; OpenCL on K steps of 16) + unsplit
# 64 x 128 / 8 x 8 OpenCL programs capped at three blocks a multiprocessor. OpenCL tests on
# NVIDIA's driver; Vulkan's tilings forced on 1x1 1024->256 and 3x3 s2 64->128 at batch 16;
# ci/gpu-bench's conv section at batch 16 and 64; the conformance suite with cold/warm.
r=/tmp/r148; mkdir -p $r
pack() { tar czf $OUT/r148.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for t in opencl_gemm_test opencl_conv_test opencl_cubin_upgrade_test; do
  OCL_ICD_FILENAMES=/usr/lib/libnvidia-opencl.so.1 TANDEM_SOURCE_DIR=$PWD timeout 150 .dev/gpu148/$t > $r/$t.txt 2>&1
  echo "$t rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|SKIPPED" $r/$t.txt >> $r/log; pack
done
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for t in default 64x64x16/4x8 64x64x16/8x4 64x64x16/4x4 128x64x16/8x4 64x128x16/8x8 64x128x16/4x8 128x128x8/8x8 default; do
  f=$r/vk-$(echo $t | tr / _)
  ( [ $t != default ] && export TANDEM_VULKAN_GEMM_TILING=$t
    timeout 60 .dev/gpu148/tandem-bench --device gpu --section conv --conv-layer "1024->256" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 250 > $f.md 2> $f.err )
  echo "== vulkan $t ${SECONDS}s" >> $r/log; row $f.md; pack
done
export TANDEM_BENCH_BIN=.dev/gpu148/tandem-bench TANDEM_BIN=.dev/gpu148/tandem
timeout 120 ci/gpu-bench $r/conv-batch16 --section conv > $r/bench16.txt 2>&1; echo "bench b16 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 120 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/bench64.txt 2>&1; echo "bench b64 rc=$? ${SECONDS}s" >> $r/log; pack
left=$((590 - SECONDS))
timeout $left ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$? at ${SECONDS}s" >> $r/log; pack
cat $r/log
for b in 16 64; do grep -E "^\| (mobilenet|resnet)" $r/conv-batch$b/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9; done
grep -A4 "^backend     device" $r/conformance.txt
grep -A5 "^backend  model" $r/conformance.txt
