#!/usr/bin/env bash
# H100 at f0f5ae3: OpenCL tilings forced (TANDEM_OPENCL_GEMM_TILING) on the --quick conv layers,
# for the memory-bound 1x1 32->64 at batch 16 and 64. OpenCL alone.
b=.dev/gpu71; r=/tmp/r72; mkdir -p $r
pack() { tar czf $OUT/r72.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
for batch in 64 16; do
  for t in default 64x128x32/8x8/local 64x64x16/4x4/local 64x64x32/4x4/local 32x128x16/4x8/local 64x256x16/8x8/local 64x128x16/4x8/local 32x64x32/4x4/local; do
    name=b$batch-$(echo $t | tr '/' '_')
    if [ $t = default ]; then tv=; else tv="TANDEM_OPENCL_GEMM_TILING=$t"; fi
    env $tv timeout 60 $b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 150 > $r/$name.md 2>&1
    echo "$name rc=$? $(date +%T) $(grep '1x1 32->64' $r/$name.md | awk -F'|' '{print $5}') $(grep '3->32' $r/$name.md | awk -F'|' '{print $5}')" >> $r/log; pack
  done
done
cat $r/log
