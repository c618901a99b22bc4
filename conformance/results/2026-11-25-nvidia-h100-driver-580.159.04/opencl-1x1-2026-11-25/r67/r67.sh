#!/usr/bin/env bash
# H100: conv_pointwise.comp with smaller workgroups and K up to 1024, both backends running
# (r66 ran Vulkan alone and read 8-47% for the same kernels); nvidia-smi logs the clocks,
# and a last Vulkan-alone process checks whether the GPU clocks down without OpenCL.
b=.dev/gpu66; r=/tmp/r67; mkdir -p $r /tmp/emptyv
pack() { tar czf $OUT/r67.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,pstate,clocks_event_reasons.active --format=csv -lms 200 > $r/smi.csv 2>&1 &
smi=$!
run() { local name=$1; shift; mkdir -p $r/$name; echo "== $name $(date +%T.%N)" >> $r/log
  env "$@" timeout 110 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/$name/conv.md 2>&1
  echo "rc=$? $(date +%T.%N)" >> $r/log; pack; }
run default
run inv128 TANDEM_EXP_PW_INV=128
run k1024-inv128 TANDEM_EXP_PW_MAXK=1024 TANDEM_EXP_PW_INV=128
run k1024 TANDEM_EXP_PW_MAXK=1024
run vulkan-alone OCL_ICD_VENDORS=/tmp/emptyv OCL_ICD_FILENAMES=
kill $smi; pack
cat $r/log
