#!/usr/bin/env bash
# H100, batch 16. (1) OpenCL 3x3 512->512 at 7x7 (split-K, positions not a multiple of 4):
# gpu133a = 1953450 + the -cl-nv-verbose hook; gpu133b = split copies stored by unrolled scalar
# stores, the rolled loops out of split-K programs (+ hooks). Register counts from the build logs.
# (2) Vulkan on gpu133b: 64 x 64 blocks with 8 x 4 or 4 x 8 per invocation in place of 4 x 4
# (TANDEM_XP_MEDIUM), split in 2 for the 14x14 layers (TANDEM_XP_MEDIUM_SPLIT), and 1x1
# 512->512 on them instead of conv_pointwise (TANDEM_XP_NO_POINTWISE, TANDEM_XP_POINTWISE_MEDIUM).
r=/tmp/r133; mkdir -p $r
pack() { tar czf $OUT/r133.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; }
for rep in 1 2; do
  for v in b a; do
    ( [ $rep = 1 ] && export TANDEM_XP_NV_VERBOSE=1
      timeout 80 .dev/gpu133$v/tandem-bench --device gpu --section conv --conv-layer "@7" --conv-batch 16 --budget-ms 300 > $r/b16-$v-$rep.md 2> $r/b16-$v-$rep.err )
    echo "== opencl $v $rep ${SECONDS}s" >> $r/log; row $r/b16-$v-$rep.md; pack
  done
done
for v in a b; do echo "-- $v" >> $r/registers.txt; awk '/XP build log/{p=/split-k/} p' $r/b16-$v-1.err | grep -E "XP build|Compiling|Function prop|registers|spill|stack" >> $r/registers.txt; done
cat $r/registers.txt | head -40 >> $r/log
for rep in 1 2; do
  for cfg in default m84 m48 m84s m48s pw84; do
    f=$r/vk-$cfg-$rep.md
    ( case $cfg in
        m84) export TANDEM_XP_MEDIUM=64x64x16/8x4 ;;
        m48) export TANDEM_XP_MEDIUM=64x64x16/4x8 ;;
        m84s) export TANDEM_XP_MEDIUM=64x64x16/8x4 TANDEM_XP_MEDIUM_SPLIT=1 ;;
        m48s) export TANDEM_XP_MEDIUM=64x64x16/4x8 TANDEM_XP_MEDIUM_SPLIT=1 ;;
        pw84) export TANDEM_XP_MEDIUM=64x64x16/8x4 TANDEM_XP_NO_POINTWISE=1 TANDEM_XP_POINTWISE_MEDIUM=1 ;;
      esac
      timeout 60 .dev/gpu133b/tandem-bench --device gpu --section conv --conv-layer "@14" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $f 2>&1 )
    echo "== vk $cfg $rep ${SECONDS}s" >> $r/log; row $f; pack
  done
done
cat $r/log
