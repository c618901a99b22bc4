#!/usr/bin/env bash
# H100, OpenCL only: the stream kernel with its weights in local memory (WSRC 0), read from
# global memory as uniform scalars (1) or as uniform float4s of a [K][M] copy (3): without
# local memory the driver may leave the kernel more L1.
b=.dev/gpu63; r=/tmp/r63; mkdir -p $r
pack() { tar czf $OUT/r63.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
run() { local name=$1; shift; mkdir -p $r/$name; echo "== $name $(date +%T)" >> $r/log
  env TANDEM_EXP_DUMP=$r/$name TANDEM_EXP_CL_OPTIONS=-cl-nv-verbose "$@" timeout 60 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/$name/conv.md 2>&1
  echo "rc=$?" >> $r/log; rm -f $r/$name/*.ptx; pack; }
run tile
for w in 0 1 3; do run w$w TANDEM_EXP_STREAM=8 TANDEM_EXP_WSRC=$w; done
run w1-2 TANDEM_EXP_STREAM=8 TANDEM_EXP_WSRC=1
run w3-2 TANDEM_EXP_STREAM=8 TANDEM_EXP_WSRC=3
run w3-mt16 TANDEM_EXP_STREAM=16 TANDEM_EXP_WSRC=3
cat $r/log
