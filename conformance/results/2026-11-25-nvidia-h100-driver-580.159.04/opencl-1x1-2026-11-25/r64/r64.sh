#!/usr/bin/env bash
# H100, OpenCL only, committed code: tilings with more warps per SM for the 1x1 layers at
# batch 16 (4x8 and 4x4 micro-tiles, 256 items), each twice, the default between them.
b=.dev/gpu64; r=/tmp/r64; mkdir -p $r
pack() { tar czf $OUT/r64.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
run() { local name=$1; shift; mkdir -p $r/$name; echo "== $name $(date +%T)" >> $r/log
  env "$@" timeout 60 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/$name/conv.md 2>&1
  echo "rc=$?" >> $r/log; pack; }
for i in 1 2; do
  run default-$i
  run t64x128x16-4x8-$i TANDEM_OPENCL_GEMM_TILING=64x128x16/4x8/local
  run t64x64x16-4x4-$i TANDEM_OPENCL_GEMM_TILING=64x64x16/4x4/local
  run t128x128x8-8x8-$i TANDEM_OPENCL_GEMM_TILING=128x128x8/8x8/local
done
cat $r/log
