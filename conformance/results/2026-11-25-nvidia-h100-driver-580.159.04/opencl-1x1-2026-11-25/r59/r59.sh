#!/usr/bin/env bash
# H100, OpenCL only: tilings that read x once for 1x1 128->128 (128x64 blocks) and smaller K
# steps, against the default twice, each in its own process.
b=.dev/gpu57; r=/tmp/r59; mkdir -p $r
pack() { tar czf $OUT/r59.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
run() { local name=$1; shift; mkdir -p $r/$name; echo "== $name $(date +%T)" >> $r/log
  env "$@" timeout 60 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/$name/conv.md 2>&1
  echo "rc=$?" >> $r/log; pack; }
run default-1
run t128x64x16-1 TANDEM_OPENCL_GEMM_TILING=128x64x16/8x8/local
run t128x64x8 TANDEM_OPENCL_GEMM_TILING=128x64x8/8x8/local
run t64x128x8 TANDEM_OPENCL_GEMM_TILING=64x128x8/8x8/local
run default-2
run t128x64x16-2 TANDEM_OPENCL_GEMM_TILING=128x64x16/8x8/local
cat $r/log
