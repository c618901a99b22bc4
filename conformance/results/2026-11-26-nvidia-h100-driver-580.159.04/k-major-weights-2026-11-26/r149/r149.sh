#!/usr/bin/env bash
# H100: Vulkan's 1x1 1024->256 at 14x14, batch 16, with the tiling and split count forced
# (gpu149 = 2ba9511 + xp.patch.txt: TANDEM_XP_PW_SPLIT="TILING:PARTS" for unpadded 1x1 layers
# that reach the 128 x 128 / 64 x 64 split choice). Default (64x64x16/4x8 in 2) first and last.
r=/tmp/r149; mkdir -p $r
pack() { tar czf $OUT/r149.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for rep in 1 2; do
  for v in default 64x64x16/4x8:2 64x64x16/8x4:2 64x64x16/4x4:2 64x64x16/8x8:2 64x64x16/4x8:3 128x64x16/8x4:4 128x64x16/8x4:3 64x128x16/8x8:3 128x128x8/8x8:5 128x128x16/8x8:5 default; do
    f=$r/$(echo $v | tr /: __)-$rep
    ( [ $v != default ] && export TANDEM_XP_PW_SPLIT=$v
      timeout 60 .dev/gpu149/tandem-bench --device gpu --section conv --conv-layer "1024->256" --conv-batch 16 --budget-ms 250 > $f.md 2> $f.err )
    echo "== $v ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
cat $r/log
