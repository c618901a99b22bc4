#!/usr/bin/env bash
# H100, OpenCL only: the stream kernel with CG channel chunks per work-group (the chunks of
# one stretch of positions on one SM, x read together), CG 1-8, against the tile loop.
b=.dev/gpu60; r=/tmp/r60; mkdir -p $r
pack() { tar czf $OUT/r60.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
run() { local name=$1; shift; mkdir -p $r/$name; echo "== $name $(date +%T)" >> $r/log
  env "$@" timeout 60 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/$name/conv.md 2>&1
  echo "rc=$?" >> $r/log; pack; }
run tile-1
for cg in 1 2 4 8; do run cg$cg TANDEM_EXP_STREAM=8 TANDEM_EXP_CG=$cg; done
run tile-2
run cg4-2 TANDEM_EXP_STREAM=8 TANDEM_EXP_CG=4
run cg8-2 TANDEM_EXP_STREAM=8 TANDEM_EXP_CG=8
run cg8-mt4 TANDEM_EXP_STREAM=4 TANDEM_EXP_CG=8
cat $r/log
