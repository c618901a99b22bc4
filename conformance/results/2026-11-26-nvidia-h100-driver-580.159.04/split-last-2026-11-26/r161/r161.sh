#!/usr/bin/env bash
# H100: conv_gemm's second-pass split as a module of its own (gpu161) against d413be6 (gpu160),
# batch 16, @14 and @7 layers, alternating; torch's copy rates on the memory-bound layers'
# bytes; the Vulkan split and conv tests on NVIDIA's driver (sync validation).
r=/tmp/r161; mkdir -p $r
pack() { tar czf $OUT/r161.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for run in new:1 old:1 new:2 old:2 new:3; do
  IFS=: read v rep <<< "$run"
  b=.dev/gpu161; [ $v = old ] && b=.dev/gpu160
  f=$r/$v-b16-$rep
  timeout 90 $b/tandem-bench --device gpu --section conv --conv-layer @14 --conv-layer @7 --conv-batch 16 --budget-ms 250 > $f.md 2> $f.err
  echo "== $v batch 16 ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
done
timeout 60 python3 .dev/r161_stream.py > $r/stream.txt 2>&1; echo "stream rc=$? ${SECONDS}s" >> $r/log; pack
left=$((580 - SECONDS))
timeout $left .dev/gpu161/vulkan_gemm_tiled_test --gtest_filter='*Split*:*Conv*' > $r/vulkan_gemm_tiled_test.txt 2>&1; echo "vulkan_gemm_tiled_test rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|OK" $r/vulkan_gemm_tiled_test.txt >> $r/log; pack
cat $r/log; cat $r/stream.txt
