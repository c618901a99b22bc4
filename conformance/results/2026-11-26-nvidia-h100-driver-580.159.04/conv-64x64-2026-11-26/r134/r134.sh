#!/usr/bin/env bash
# H100: candidate (gpu134 = 1953450 + candidate.patch.txt: OpenCL split programs capped at
# their wave's registers, split copies stored unrolled; Vulkan 64 x 64 / 4 x 8 for padded
# layers with few 64 x 128 blocks and their splits, 64 x 64 / 8 x 4 for 1x1 layers that fill a
# wave only with those) against gpu133a (1953450 + the -cl-nv-verbose hook), alternating.
r=/tmp/r134; mkdir -p $r
pack() { tar czf $OUT/r134.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; }
bin() { [ $1 = c ] && echo .dev/gpu134/tandem-bench || echo .dev/gpu133a/tandem-bench; }
for rep in 1 2; do
  for v in c a; do
    f=$r/b16-14-$v-$rep
    ( [ $rep = 1 ] && export TANDEM_XP_NV_VERBOSE=1
      timeout 60 $(bin $v) --device gpu --section conv --conv-layer "@14" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $f.md 2> $f.err )
    echo "== b16 @14 s2 $v $rep ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
f=$r/b16-14-nocap
( export TANDEM_XP_NO_REGISTER_CAP=1; timeout 60 $(bin c) --device gpu --section conv --conv-layer "@14" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $f.md 2>&1 )
echo "== b16 @14 s2 c without the cap ${SECONDS}s" >> $r/log; row $f.md; pack
for rep in 1 2; do
  for v in c a; do
    f=$r/b16-7-$v-$rep
    ( [ $rep = 1 ] && export TANDEM_XP_NV_VERBOSE=1
      timeout 80 $(bin $v) --device gpu --section conv --conv-layer "@7" --conv-batch 16 --budget-ms 300 > $f.md 2> $f.err )
    echo "== b16 @7 $v $rep ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
for v in c a; do
  f=$r/b64-7-$v
  timeout 80 $(bin $v) --device gpu --section conv --conv-layer "@7" --conv-batch 64 --budget-ms 300 > $f.md 2>&1
  echo "== b64 @7 $v ${SECONDS}s" >> $r/log; row $f.md; pack
done
for f in $r/b16-*-c-1.err; do awk '/XP build log/{p=/split-k/} p' $f | grep -E "XP build|Function prop|registers|spill|stack" >> $r/registers.txt; done
cat $r/registers.txt >> $r/log
cat $r/log
