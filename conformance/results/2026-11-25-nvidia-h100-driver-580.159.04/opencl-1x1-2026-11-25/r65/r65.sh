#!/usr/bin/env bash
# H100, OpenCL only, committed code: 128x128x8/8x8 blocks (forced) against the default for the
# 1x1 layers, alternating in separate processes: batch 16 three pairs, batch 64 two pairs.
b=.dev/gpu64; r=/tmp/r65; mkdir -p $r
pack() { tar czf $OUT/r65.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
run() { local name=$1 args=$2; shift 2; mkdir -p $r/$name; echo "== $name $(date +%T)" >> $r/log
  env "$@" timeout 150 $b/tandem-bench --device gpu --section conv --budget-ms 150 $args > $r/$name/conv.md 2>&1
  echo "rc=$?" >> $r/log; pack; }
T=TANDEM_OPENCL_GEMM_TILING=128x128x8/8x8/local
for i in 1 2 3; do run b16-default-$i ""; run b16-128x128-$i "" $T; done
for i in 1 2; do run b64-default-$i "--conv-batch 64"; run b64-128x128-$i "--conv-batch 64" $T; done
cat $r/log
