#!/usr/bin/env bash
# H100: 8c63e3e (gpu135) on the NVIDIA drivers: the Vulkan tile-loop and conv tests, then an
# OpenCL experiment (gpu135x = 8c63e3e + opencl-cap-space.patch.txt: split programs without the
# rolled store loops, "-cl-nv-maxrregcount N" with a space, the form of the Khronos registry's
# text, since "=N" left 209 registers in r134), then the conformance suite.
r=/tmp/r135; mkdir -p $r
pack() { tar czf $OUT/r135.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; }
for t in vulkan_gemm_tiled_test vulkan_conv_test; do
  timeout 100 .dev/gpu135/$t > $r/$t.txt 2>&1; echo "$t rc=$? ${SECONDS}s" >> $r/log; tail -1 $r/$t.txt >> $r/log; pack
done
for v in x base; do
  b=.dev/gpu135x/tandem-bench; [ $v = base ] && b=.dev/gpu135/tandem-bench
  ( export TANDEM_XP_NV_VERBOSE=1
    timeout 80 $b --device gpu --section conv --conv-layer "@7" --conv-layer "@14" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $r/b16-$v.md 2> $r/b16-$v.err )
  echo "== b16 $v ${SECONDS}s" >> $r/log; row $r/b16-$v.md; pack
done
awk '/XP build log/{p=/split-k/} p' $r/b16-x.err | grep -E "XP build|Function prop|registers|spill|stack|rror" >> $r/log
TANDEM_BIN=.dev/gpu135/tandem timeout 330 ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$? at ${SECONDS}s" >> $r/log; pack
cat $r/log; grep -A4 "^backend     device" $r/conformance.txt
