#!/usr/bin/env bash
# H100, batch 16, Vulkan: the layers on 64 x 64 blocks (kConvMedium) with other K steps and
# micro-tiles: gpu137 = 8c63e3e + conv-medium.patch.txt (TANDEM_XP_CONV_MEDIUM), alternating.
r=/tmp/r137; mkdir -p $r
pack() { tar czf $OUT/r137.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,6,7 >> $r/log; }
for rep in 1 2; do
  for t in default 64x64x32/4x8 64x64x8/4x8 64x64x16/8x8 64x64x32/8x8; do
    f=$r/vk-$(echo $t | tr / _)-$rep.md
    ( [ $t != default ] && export TANDEM_XP_CONV_MEDIUM=$t
      timeout 60 .dev/gpu137/tandem-bench --device gpu --section conv --conv-layer "3x3 256->256 @14" --conv-layer "1024->256" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $f 2>&1 )
    echo "== vk $t $rep ${SECONDS}s" >> $r/log; row $f; pack
  done
done
cat $r/log
