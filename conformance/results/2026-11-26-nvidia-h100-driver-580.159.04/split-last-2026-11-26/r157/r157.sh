#!/usr/bin/env bash
# H100, Vulkan split-K in two halves, batch 16, @14 and @7 layers, alternating:
# old = 2ba9511 (second pass); halves = r156's (the second half adds the other copy);
# a2 = halves with r153's sum (a loop over the splits, own sums from registers);
# a = r153's binary (every split count summed by the last split).
r=/tmp/r157; mkdir -p $r
pack() { tar czf $OUT/r157.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for run in old:1 halves:1 a2:1 a:1 a2:2 halves:2 old:2; do
  IFS=: read v rep <<< "$run"
  f=$r/$v-b16-$rep
  timeout 90 .dev/gpu157/$v/tandem-bench --device gpu --section conv --conv-layer @14 --conv-layer @7 --conv-batch 16 --budget-ms 250 > $f.md 2> $f.err
  echo "== $v batch 16 ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
done
cat $r/log
