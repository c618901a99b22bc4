#!/usr/bin/env bash
# H100: Vulkan split-K summed by each block's last split (tickets). gpu155/a = r153's binary
# (the sums start from acc), gpu155/c = the sums read from every copy, loops unrolled (up to
# 8 copies in flight), gpu155/old = 2ba9511 (second pass). The @14 and @7 conv layers at
# batch 16 and 64, alternating; then the split tests of c on NVIDIA.
r=/tmp/r155; mkdir -p $r
pack() { tar czf $OUT/r155.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for rep in 1 2; do
  for v in old c a; do
    for b in 16 64; do
      [ $v = a ] && [ $b = 64 ] && continue
      f=$r/$v-b$b-$rep
      timeout 90 .dev/gpu155/$v/tandem-bench --device gpu --section conv --conv-layer @14 --conv-layer @7 --conv-batch $b --budget-ms 250 > $f.md 2> $f.err
      echo "== $v batch $b ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
    done
  done
done
timeout 200 .dev/gpu155/c/vulkan_gemm_tiled_test --gtest_filter='*Split*' > $r/vulkan_split.txt 2>&1; echo "split tests rc=$? ${SECONDS}s" >> $r/log; grep -E "OK|FAILED" $r/vulkan_split.txt >> $r/log; pack
cat $r/log
