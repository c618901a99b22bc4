#!/usr/bin/env bash
# H100: Vulkan's 64 x 64 / 4 x 8 blocks with the split count forced (gpu142 = aba7f95 +
# xp.patch.txt: TANDEM_XP_MEDIUM_SPLITS=N), batch 16, on 1x1 1024->256 (2 parts by default) and
# 3x3 s2 64->128 (unsplit by default), alternating with the default.
r=/tmp/r142; mkdir -p $r
pack() { tar czf $OUT/r142.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,6,7 >> $r/log; }
for rep in 1 2; do
  for s in 0 1 2 3 4 6; do
    f=$r/s$s-$rep
    ( [ $s != 0 ] && export TANDEM_XP_MEDIUM_SPLITS=$s
      timeout 60 .dev/gpu142/tandem-bench --device gpu --section conv --conv-layer "1024->256" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $f.md 2> $f.err )
    echo "== splits $s ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
cat $r/log
