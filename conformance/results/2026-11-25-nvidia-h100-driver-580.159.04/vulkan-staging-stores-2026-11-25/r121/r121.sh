#!/usr/bin/env bash
# H100: B's vec4 loads (B_MODE 2: SGEMM, pointwise conv) stored as one vec4 of tile_b (gpu121)
# against 5325e6f (gpu120), alternating: SGEMM, the batch-16 1x1 layers at 14x14; then the
# Vulkan GEMM and conv tests of gpu121 on the NVIDIA driver.
r=/tmp/r121; mkdir -p $r
pack() { tar czf $OUT/r121.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for v in gpu121 gpu120; do
  timeout 100 .dev/$v/tandem-bench --device gpu --section gemm --budget-ms 200 > $r/gemm-$v.md 2>&1; pack
done
for rep in 1 2; do
  for v in gpu121 gpu120; do
    timeout 50 .dev/$v/tandem-bench --device gpu --section conv --conv-layer "1x1 512" --conv-layer "1x1 1024" --conv-layer "1x1 128" --conv-layer "1x1 256" --conv-batch 16 --budget-ms 300 > $r/conv16-$v-$rep.md 2>&1; pack
  done
done
for t in vulkan_gemm_tiled_test vulkan_conv_test; do
  timeout 120 .dev/gpu121/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -1 $r/$t.txt >> $r/log; pack
done
cat $r/log
for f in $r/gemm-*.md; do echo "== $f"; grep -E "^\| (square|trans)" $f | cut -d'|' -f2,3,4,5,7,8; done
for f in $r/conv16-*.md; do echo "== $f"; grep -E "^\| (mobilenet|resnet)" $f | grep -v " dw " | cut -d'|' -f2,4,5,6,7; done
