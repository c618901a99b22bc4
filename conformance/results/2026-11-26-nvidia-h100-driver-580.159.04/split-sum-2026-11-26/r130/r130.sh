#!/usr/bin/env bash
# H100: Vulkan's 14x14 layers at batch 16 on 64 x 64 / 4 x 4 blocks split K (2 parts: 392
# blocks, one wave of three a multiprocessor) against the current choices (3x3 256->256: 128 x
# 64 / 8 x 4 in 4 parts; 1x1 1024->256: 128 x 128 / 8 x 8 in 5): gpu130 = 6a984bf +
# medium-split.patch.txt, TANDEM_XP_MEDIUM_SPLIT set or unset, alternating.
r=/tmp/r130; mkdir -p $r
pack() { tar czf $OUT/r130.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for rep in 1 2 3; do
  for v in medium default; do
    ( [ $v = medium ] && export TANDEM_XP_MEDIUM_SPLIT=1
      timeout 60 .dev/gpu130/tandem-bench --device gpu --section conv --conv-layer "@14" --conv-layer "@7" --conv-batch 16 --budget-ms 300 > $r/b16-$v-$rep.md 2>&1 )
    echo "== $v $rep" >> $r/log; grep -E "^\| (mobilenet|resnet)" $r/b16-$v-$rep.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; pack
  done
done
cat $r/log
