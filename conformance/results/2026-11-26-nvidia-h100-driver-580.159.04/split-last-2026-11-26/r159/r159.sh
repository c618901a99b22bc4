#!/usr/bin/env bash
# H100, Vulkan split-K in two halves, batch 16, @14 and @7 layers, alternating:
# a4 = a3 with the last-split sums as SPLIT_K 1 and the second pass as 2 (a used 1 for its
# last-split sums); a = r153; old = 2ba9511.
r=/tmp/r159; mkdir -p $r
pack() { tar czf $OUT/r159.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for run in a4:1 a:1 a4:2 old:1; do
  IFS=: read v rep <<< "$run"
  f=$r/$v-b16-$rep
  timeout 90 .dev/gpu159/$v/tandem-bench --device gpu --section conv --conv-layer @14 --conv-layer @7 --conv-batch 16 --budget-ms 250 > $f.md 2> $f.err
  echo "== $v batch 16 ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
done
cat $r/log
