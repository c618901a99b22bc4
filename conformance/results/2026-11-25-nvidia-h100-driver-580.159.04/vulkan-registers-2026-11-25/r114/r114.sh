#!/usr/bin/env bash
# H100: Vulkan's tile loop with fma() (gpu114) against its a * b + c (gpu110, 18a1617): does
# NVIDIA's Vulkan compiler fuse the multiply-adds? Vulkan peaks near 50% of FP32 peak.
r=/tmp/r114; mkdir -p $r
pack() { tar czf $OUT/r114.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for v in gpu114 gpu110; do
  timeout 100 .dev/$v/tandem-bench --device gpu --section gemm --budget-ms 200 > $r/gemm-$v.md 2>&1; pack
  timeout 60 .dev/$v/tandem-bench --device gpu --section conv --conv-layer resnet --budget-ms 200 > $r/conv16-$v.md 2>&1; pack
done
for f in $r/gemm-*.md; do echo "== $f"; grep -E "^\| square" $f | cut -d'|' -f2,3,4; done
for f in $r/conv16-*.md; do echo "== $f"; grep -E "^\| resnet" $f | cut -d'|' -f2,4,5,6,7; done
