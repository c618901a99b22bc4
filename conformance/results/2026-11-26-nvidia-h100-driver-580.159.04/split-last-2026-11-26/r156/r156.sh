#!/usr/bin/env bash
# H100: gpu156/new = eb03f89 + Vulkan split-K in two halves summed by the second half to
# finish (tickets; micro-tiles of at most 32 sums), other splits by the second pass as
# before; gpu156/old = 2ba9511. The @14 and @7 conv layers, alternating.
r=/tmp/r156; mkdir -p $r
pack() { tar czf $OUT/r156.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for run in old:16:1 new:16:1 old:64:1 new:64:1 old:16:2 new:16:2 new:16:3 old:16:3; do
  IFS=: read v b rep <<< "$run"
  f=$r/$v-b$b-$rep
  timeout 90 .dev/gpu156/$v/tandem-bench --device gpu --section conv --conv-layer @14 --conv-layer @7 --conv-batch $b --budget-ms 250 > $f.md 2> $f.err
  echo "== $v batch $b ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
done
cat $r/log
