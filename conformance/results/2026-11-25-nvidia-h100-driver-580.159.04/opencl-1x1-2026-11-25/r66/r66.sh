#!/usr/bin/env bash
# H100, Vulkan only: conv_pointwise.comp with smaller workgroups (more of them for the 14x14
# layers) and for K up to 1024 (1x1 1024->256), against the default (256, K <= 512).
b=.dev/gpu66; r=/tmp/r66; mkdir -p $r /tmp/emptyv
pack() { tar czf $OUT/r66.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export OCL_ICD_VENDORS=/tmp/emptyv; unset OCL_ICD_FILENAMES
run() { local name=$1 args=$2; shift 2; mkdir -p $r/$name; echo "== $name $(date +%T)" >> $r/log
  env "$@" timeout 120 $b/tandem-bench --device gpu --section conv --budget-ms 150 $args > $r/$name/conv.md 2>&1
  echo "rc=$? $(date +%T)" >> $r/log; pack; }
run default-1 ""
run inv128 "" TANDEM_EXP_PW_INV=128
run inv64 "" TANDEM_EXP_PW_INV=64
run k1024 "" TANDEM_EXP_PW_MAXK=1024
run k1024-inv64 "" TANDEM_EXP_PW_MAXK=1024 TANDEM_EXP_PW_INV=64
run k1024-inv128 "" TANDEM_EXP_PW_MAXK=1024 TANDEM_EXP_PW_INV=128
run default-2 ""
run b64-default "--conv-batch 64"
run b64-k1024-inv64 "--conv-batch 64" TANDEM_EXP_PW_MAXK=1024 TANDEM_EXP_PW_INV=64
cat $r/log
