#!/usr/bin/env bash
# H100 at f0f5ae3 (non-blocking OpenCL input writes): the whole ci/gpu-bench (batch 16), the
# conv section at batch 64, the OpenCL conv section alone in three more processes, and
# opencl_executable_test on the NVIDIA driver alone.
set +e
b=.dev/gpu71; r=/tmp/r71; mkdir -p $r
pack() { tar czf $OUT/r71.tgz -C $r .; }
export TANDEM_BIN=$b/tandem TANDEM_BENCH_BIN=$b/tandem-bench
( source ci/gpu-env.sh; set +e +u
  OCL_ICD_FILENAMES=/usr/lib/libnvidia-opencl.so.1 OCL_ICD_VENDORS=/nonexistent $b/opencl_executable_test > $r/opencl_executable_test.txt 2>&1; echo "test rc=$?" >> $r/log ); pack
timeout 330 ci/gpu-bench $r/bench > $r/bench.out 2>&1; echo "bench rc=$? $(date +%T)" >> $r/log; pack
for i in 1 2 3; do
  ( source ci/gpu-env.sh; set +e +u; VK_DRIVER_FILES=/nonexistent.json timeout 60 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/cl-conv-$i.md 2>&1; echo "cl-conv-$i rc=$? $(date +%T)" >> $r/log ); pack
done
timeout 150 ci/gpu-bench $r/conv64 --section conv --conv-batch 64 > $r/conv64.out 2>&1; echo "conv64 rc=$? $(date +%T)" >> $r/log; pack
cat $r/log; tail -3 $r/opencl_executable_test.txt
grep -E '^\| (mob|res)' $r/bench/bench.md | grep -v 'dw' | head -40
for i in 1 2 3; do grep -E '1x1 128->128|1x1 256->64|512->512 @14' $r/cl-conv-$i.md; done
grep -E '^\| (mob|res)' $r/conv64/bench.md
