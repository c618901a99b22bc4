#!/usr/bin/env bash
# H100: gpu150 = 329d2ac (HEAD: gemm_tiled.cl stages A's float4s in one branch). OpenCL tests on
# NVIDIA's driver, ci/gpu-bench's conv section at batch 16 and 64 and its gemm section.
r=/tmp/r150; mkdir -p $r
pack() { tar czf $OUT/r150.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for t in opencl_gemm_test opencl_conv_test opencl_cubin_upgrade_test; do
  OCL_ICD_FILENAMES=/usr/lib/libnvidia-opencl.so.1 TANDEM_SOURCE_DIR=$PWD timeout 150 .dev/gpu150/$t > $r/$t.txt 2>&1
  echo "$t rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|SKIPPED" $r/$t.txt >> $r/log; pack
done
export TANDEM_BENCH_BIN=.dev/gpu150/tandem-bench TANDEM_BIN=.dev/gpu150/tandem
timeout 120 ci/gpu-bench $r/conv-batch16 --section conv > $r/bench16.txt 2>&1; echo "bench b16 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 120 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/bench64.txt 2>&1; echo "bench b64 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 200 ci/gpu-bench $r/gemm --section gemm > $r/gemm.txt 2>&1; echo "bench gemm rc=$? ${SECONDS}s" >> $r/log; pack
cat $r/log
for b in 16 64; do grep -E "^\| (mobilenet|resnet)" $r/conv-batch$b/bench.md | grep -v " dw " | cut -d'|' -f2,5,7,9; done
grep -E "^\| (4096|8192|1024|512)" $r/gemm/bench.md | head -12
