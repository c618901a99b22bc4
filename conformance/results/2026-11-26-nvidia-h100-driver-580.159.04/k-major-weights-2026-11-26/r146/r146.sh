#!/usr/bin/env bash
# H100: constant conv weights stored [K][M] and staged as vectors along M on both backends
# (gpu146 = 313ce05 + the change): OpenCL tests on NVIDIA's driver, OpenCL per layer
# alternating with gpu146/old = gpu140 (bfb108d), ci/gpu-bench's conv section at batch 16 and 64, then the
# conformance suite.
r=/tmp/r146; mkdir -p $r
pack() { tar czf $OUT/r146.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for t in opencl_gemm_test opencl_conv_test opencl_cubin_upgrade_test; do
  OCL_ICD_FILENAMES=/usr/lib/libnvidia-opencl.so.1 TANDEM_SOURCE_DIR=$PWD timeout 150 .dev/gpu146/$t > $r/$t.txt 2>&1
  echo "$t rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|SKIPPED" $r/$t.txt >> $r/log; pack
done
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,4,5 >> $r/log; }
for rep in 1 2; do
  for v in c a; do
    b=.dev/gpu146/tandem-bench; [ $v = a ] && b=.dev/gpu146/old/tandem-bench
    ( export VK_DRIVER_FILES=/nonexistent.json
      timeout 60 $b --device gpu --section conv --conv-layer resnet --conv-layer "512->512" --conv-batch 16 --budget-ms 250 > $r/b16-$v-$rep.md 2>&1 )
    echo "== b16 opencl $v $rep ${SECONDS}s" >> $r/log; row $r/b16-$v-$rep.md; pack
  done
done
export TANDEM_BENCH_BIN=.dev/gpu146/tandem-bench TANDEM_BIN=.dev/gpu146/tandem
timeout 120 ci/gpu-bench $r/conv-batch16 --section conv > $r/bench16.txt 2>&1; echo "bench b16 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 120 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/bench64.txt 2>&1; echo "bench b64 rc=$? ${SECONDS}s" >> $r/log; pack
left=$((590 - SECONDS))
timeout $left ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$? at ${SECONDS}s" >> $r/log; pack
cat $r/log
for b in 16 64; do grep -E "^\| (mobilenet|resnet)" $r/conv-batch$b/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9; done
grep -A4 "^backend     device" $r/conformance.txt
