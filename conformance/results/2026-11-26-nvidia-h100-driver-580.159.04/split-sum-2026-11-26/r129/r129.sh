#!/usr/bin/env bash
# H100: Vulkan's 3x3 s2 64->128 (batch 16) on 64 x 128 / 8 x 8 blocks split in two, as
# OpenCL runs it, against 64 x 64 / 4 x 4 unsplit: gpu129 = b81ffe5 + wide-split.patch.txt,
# TANDEM_XP_WIDE_SPLIT set or unset, alternating.
r=/tmp/r129; mkdir -p $r
pack() { tar czf $OUT/r129.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for rep in 1 2 3; do
  for v in wide default; do
    ( [ $v = wide ] && export TANDEM_XP_WIDE_SPLIT=1
      timeout 60 .dev/gpu129/tandem-bench --device gpu --section conv --conv-layer "s2 64->128" --conv-layer "3x3 256->256" --conv-batch 16 --budget-ms 300 > $r/b16-$v-$rep.md 2>&1 )
    echo "== $v $rep" >> $r/log; grep -E "^\| (mobilenet|resnet)" $r/b16-$v-$rep.md | cut -d'|' -f2,4,5,6,7 >> $r/log; pack
  done
done
cat $r/log
