#!/usr/bin/env bash
# H100, OpenCL alone: gpu151/a = gpu148 (2ba9511) against gpu151/c = gpu150 (329d2ac, A's
# float4 staging in one branch), alternating, on the layers where r150 read lower than r148.
r=/tmp/r151; mkdir -p $r
pack() { tar czf $OUT/r151.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5 >> $r/log; }
for rep in 1 2 3; do
  for v in a c; do
    for b in 16 64; do
      ( export VK_DRIVER_FILES=/nonexistent.json
        timeout 60 .dev/gpu151/$v/tandem-bench --device gpu --section conv --conv-layer resnet --conv-batch $b --budget-ms 250 > $r/$v-$b-$rep.md 2>&1 )
      echo "== $v batch $b ($rep) ${SECONDS}s" >> $r/log; row $r/$v-$b-$rep.md; pack
    done
  done
done
cat $r/log
