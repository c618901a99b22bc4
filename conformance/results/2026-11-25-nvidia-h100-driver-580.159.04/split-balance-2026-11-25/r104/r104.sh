#!/usr/bin/env bash
# H100: Vulkan's 1x1 layers with few 128 x 128 blocks split them over two per multiprocessor
# (gpu104) against the wave-balance build without that (gpu102): conv layers at batch 16,
# then Vulkan's conv and tiled-GEMM tests on the NVIDIA driver.
r=/tmp/r104; mkdir -p $r
pack() { tar czf $OUT/r104.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
bench() {  # build, run
  timeout 150 .dev/$1/tandem-bench --device gpu --section conv --conv-batch 16 --budget-ms 300 > $r/conv16-$1-$2.md 2>&1
  pack
}
bench gpu104 1; bench gpu102 1; bench gpu104 2
for t in vulkan_conv_test vulkan_gemm_tiled_test; do
  timeout 200 .dev/gpu104/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -3 $r/$t.txt >> $r/log; pack
done
for f in $r/conv*.md; do echo "== $f"; grep -E "^\| (mobilenet|resnet)" $f | cut -d'|' -f2,4,5,6,7; done
cat $r/log
