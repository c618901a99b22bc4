#!/usr/bin/env bash
# H100: candidate (gpu138 = a5f402a + candidate.patch.txt: OpenCL split copies laid out as
# [channel][column], rows padded to 4, stored as float4s always; the second pass scatters to
# NCHW) against gpu133a (1953450, whose OpenCL code is a5f402a's, + the -cl-nv-verbose hook),
# alternating. Both builds carry the hook.
r=/tmp/r138; mkdir -p $r
pack() { tar czf $OUT/r138.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; }
bin() { [ $1 = c ] && echo .dev/gpu138/tandem-bench || echo .dev/gpu133a/tandem-bench; }
for rep in 1 2; do
  for v in c a; do
    f=$r/b16-7-$v-$rep
    ( [ $rep = 1 ] && export TANDEM_XP_NV_VERBOSE=1
      timeout 80 $(bin $v) --device gpu --section conv --conv-layer "@7" --conv-batch 16 --budget-ms 300 > $f.md 2> $f.err )
    echo "== b16 @7 $v $rep ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
for rep in 1 2; do
  for v in c a; do
    f=$r/b16-14-$v-$rep
    ( [ $rep = 1 ] && export TANDEM_XP_NV_VERBOSE=1
      timeout 60 $(bin $v) --device gpu --section conv --conv-layer "@14" --conv-layer "s2 64->128" --conv-batch 16 --budget-ms 300 > $f.md 2> $f.err )
    echo "== b16 @14 s2 $v $rep ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
for v in c a; do
  f=$r/b64-7-$v
  timeout 80 $(bin $v) --device gpu --section conv --conv-layer "@7" --conv-layer "@14" --conv-batch 64 --budget-ms 300 > $f.md 2>&1
  echo "== b64 @7 @14 $v ${SECONDS}s" >> $r/log; row $f.md; pack
done
for f in $r/b16-*-1.err; do echo "## $f" >> $r/registers.txt; awk '/XP build log/{p=/split-k/} p' $f | grep -E "XP build|Function prop|registers|spill|stack" >> $r/registers.txt; done
cat $r/registers.txt >> $r/log
pack
cat $r/log
