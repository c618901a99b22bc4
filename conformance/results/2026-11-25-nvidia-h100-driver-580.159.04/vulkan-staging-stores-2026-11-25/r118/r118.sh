#!/usr/bin/env bash
# H100: which half of x2's staging stores moves the conv layers: x2A (A's stores only),
# x2B (B's only), x2 (both, gpu117b), x1 (neither, gpu117a), twice over, on the batch-16
# layers it moved in r117; then the batch-64 conv section for x1 and x2.
r=/tmp/r118; mkdir -p $r
pack() { tar czf $OUT/r118.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for rep in 1 2; do
  for v in gpu117a gpu117b gpu118x2A gpu118x2B; do
    timeout 60 .dev/$v/tandem-bench --device gpu --section conv --conv-layer "3x3 64->64" --conv-layer "3x3 256" --conv-layer "3x3 512" --conv-batch 16 --budget-ms 300 > $r/conv16-$v-$rep.md 2>&1; pack
  done
done
for v in gpu117a gpu117b; do
  timeout 150 .dev/$v/tandem-bench --device gpu --section conv --conv-batch 64 --budget-ms 200 > $r/conv64-$v.md 2>&1; pack
done
for f in $r/conv*.md; do echo "== $f"; grep -E "^\| (mobilenet|resnet)" $f | grep -v " dw " | cut -d'|' -f2,4,5,6,7; done
