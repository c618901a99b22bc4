#!/usr/bin/env bash
# H100: the candidate (gpu140 = a5f402a + split copies as [channel][column] stored as float4s,
# split programs capped at their wave's registers with -cl-nv-maxrregcount and without
# reqd_work_group_size, cubins linked with the same cap): OpenCL tests on NVIDIA's driver,
# OpenCL per layer alternating with gpu133a (a5f402a's OpenCL code), ci/gpu-bench's conv
# section at batch 16 and 64, then the conformance suite.
r=/tmp/r140; mkdir -p $r
pack() { tar czf $OUT/r140.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
mkdir -p /tmp/nv-only && cp /etc/OpenCL/vendors/nvidia.icd /tmp/nv-only/
for t in opencl_gemm_test opencl_conv_test opencl_cubin_upgrade_test; do
  OCL_ICD_VENDORS=/tmp/nv-only TANDEM_SOURCE_DIR=$PWD timeout 120 .dev/gpu140/$t > $r/$t.txt 2>&1
  echo "$t rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|SKIPPED" $r/$t.txt >> $r/log; pack
done
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,4,5 >> $r/log; }
for rep in 1 2; do
  for v in c a; do
    b=.dev/gpu140/tandem-bench; [ $v = a ] && b=.dev/gpu133a/tandem-bench
    ( export VK_DRIVER_FILES=/nonexistent.json
      timeout 60 $b --device gpu --section conv --conv-layer "@7" --conv-layer "@14" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $r/b16-$v-$rep.md 2>&1 )
    echo "== b16 opencl $v $rep ${SECONDS}s" >> $r/log; row $r/b16-$v-$rep.md; pack
  done
done
export TANDEM_BENCH_BIN=.dev/gpu140/tandem-bench TANDEM_BIN=.dev/gpu140/tandem
timeout 120 ci/gpu-bench $r/conv-batch16 --section conv > $r/bench16.txt 2>&1; echo "bench b16 rc=$? ${SECONDS}s" >> $r/log; pack
timeout 120 ci/gpu-bench $r/conv-batch64 --section conv --conv-batch 64 > $r/bench64.txt 2>&1; echo "bench b64 rc=$? ${SECONDS}s" >> $r/log; pack
left=$((590 - SECONDS))
timeout $left ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$? at ${SECONDS}s" >> $r/log; pack
cat $r/log
for b in 16 64; do grep -E "^\| (mobilenet|resnet)" $r/conv-batch$b/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9; done
grep -A4 "^backend     device" $r/conformance.txt
