#!/usr/bin/env bash
# H100, batch 16: (1) OpenCL's split-K stores for layers whose positions are not a multiple of 4
# (3x3 512->512 at 7x7): unrolled scalar stores (TANDEM_XP_SCALAR_STORE) against the rolled
# loops; (2) Vulkan 1x1 512->512 at 14x14 and 3x3 s2 64->128 on forced tilings of conv_gemm
# (TANDEM_XP_NO_POINTWISE skips conv_pointwise). gpu132 = 1953450 + xp.patch.txt.
r=/tmp/r132; mkdir -p $r
pack() { tar czf $OUT/r132.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
B=.dev/gpu132/tandem-bench
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; }
for rep in 1 2 3; do
  for v in scalar rolled; do
    ( [ $v = scalar ] && export TANDEM_XP_SCALAR_STORE=1
      timeout 60 $B --device gpu --section conv --conv-layer "@7" --conv-batch 16 --budget-ms 300 > $r/b16-$v-$rep.md 2>&1 )
    echo "== $v $rep ${SECONDS}s" >> $r/log; row $r/b16-$v-$rep.md; pack
  done
done
for rep in 1 2; do
  for t in default 64x64x16/4x4 64x64x16/8x4 64x64x16/4x8 128x64x16/8x4 64x128x16/8x8; do
    f=$r/vk-$(echo $t | tr / _)-$rep.md
    ( if [ $t != default ]; then export TANDEM_XP_NO_POINTWISE=1 TANDEM_VULKAN_GEMM_TILING=$t; fi
      timeout 60 $B --device gpu --section conv --conv-layer "1x1 512->512" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $f 2>&1 )
    echo "== vk $t $rep ${SECONDS}s" >> $r/log; row $f; pack
  done
done
cat $r/log
