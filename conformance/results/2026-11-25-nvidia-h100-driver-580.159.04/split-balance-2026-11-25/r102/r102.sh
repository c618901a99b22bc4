#!/usr/bin/env bash
# H100: split-K counts by wave balance (gpu102, the working tree after 4c57e94) against
# 4c57e94's choice (gpu96 has the same tiling rules and kernels): every conv layer at
# batch 16 and 64, then the conv tests and the conformance suite on the NVIDIA drivers.
r=/tmp/r102; mkdir -p $r
pack() { tar czf $OUT/r102.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
bench() {  # build, batch
  timeout 150 .dev/$1/tandem-bench --device gpu --section conv --conv-batch $2 --budget-ms 300 > $r/conv$2-$1.md 2>&1
  pack
}
bench gpu102 16; bench gpu96 16
bench gpu102 64; bench gpu96 64
for t in opencl_conv_test vulkan_conv_test vulkan_gemm_tiled_test; do
  timeout 200 .dev/gpu102/$t > $r/$t.txt 2>&1; echo "$t rc=$?" >> $r/log; tail -3 $r/$t.txt >> $r/log; pack
done
TANDEM_BIN=.dev/gpu102/tandem timeout 240 ci/gpu-conformance $r/conformance > $r/conformance.txt 2>&1; echo "conformance rc=$?" >> $r/log
pack
for f in $r/conv*.md; do echo "== $f"; grep -E "^\| (mobilenet|resnet)" $f | cut -d'|' -f2,4,5,6,7; done
cat $r/log; tail -5 $r/conformance.txt
