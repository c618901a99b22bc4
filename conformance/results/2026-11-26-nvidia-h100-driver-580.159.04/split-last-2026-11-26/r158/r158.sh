#!/usr/bin/env bash
# H100, Vulkan split-K in two halves, batch 16, @14 and @7 layers, alternating:
# a3 = r153 (a)'s shader text, its last-split sums for two splits of micro-tiles of at most
# 32 sums, the second pass (SPLIT_K 1) for the rest; a = r153; old = 2ba9511.
r=/tmp/r158; mkdir -p $r
pack() { tar czf $OUT/r158.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for run in old:1 a3:1 a:1 a3:2 old:2; do
  IFS=: read v rep <<< "$run"
  f=$r/$v-b16-$rep
  timeout 90 .dev/gpu158/$v/tandem-bench --device gpu --section conv --conv-layer @14 --conv-layer @7 --conv-batch 16 --budget-ms 250 > $f.md 2> $f.err
  echo "== $v batch 16 ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
done
cat $r/log
