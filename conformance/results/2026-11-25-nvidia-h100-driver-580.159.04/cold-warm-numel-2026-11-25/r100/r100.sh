#!/usr/bin/env bash
# H100: ci/cold-warm with 11d5a37 (gpu100: shape_numel without eager messages, same-type
# casts as copies) against cbd3e54 (gpu98), alternating, three runs each.
r=/tmp/r100; mkdir -p $r
pack() { tar czf $OUT/r100.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for rep in 1 2 3; do
  for v in gpu100 gpu98; do
    TANDEM_BIN=.dev/$v/tandem timeout 100 ci/cold-warm $r/$v-$rep --device gpu > $r/$v-$rep.txt 2>&1
    sed "s/^/$v $rep /" $r/$v-$rep.txt | grep -v "^$v $rep backend" >> $r/log; pack
  done
done
cat $r/log
