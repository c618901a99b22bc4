#!/usr/bin/env bash
# H100: gpu154 = eb03f89 + Vulkan split-K summed by each block's last split (tickets), the
# sums read from the copies only (acc not read after the ticket). The split tests on NVIDIA,
# then the @14 and @7 conv layers at batch 16 and 64, gpu148 (2ba9511) and gpu154 alternating.
r=/tmp/r154; mkdir -p $r
pack() { tar czf $OUT/r154.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for rep in 1 2; do
  for v in old new; do
    for b in 16 64; do
      f=$r/$v-b$b-$rep
      timeout 90 .dev/gpu154/$([ $v = old ] && echo old/)tandem-bench --device gpu --section conv --conv-layer @14 --conv-layer @7 --conv-batch $b --budget-ms 250 > $f.md 2> $f.err
      echo "== $v batch $b ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
    done
  done
done
timeout 250 .dev/gpu154/vulkan_gemm_tiled_test --gtest_filter='*Split*' > $r/vulkan_split.txt 2>&1; echo "split tests rc=$? ${SECONDS}s" >> $r/log; grep -E "OK|FAILED" $r/vulkan_split.txt >> $r/log; pack
cat $r/log
