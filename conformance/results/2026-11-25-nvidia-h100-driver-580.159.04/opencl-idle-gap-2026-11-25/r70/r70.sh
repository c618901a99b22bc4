#!/usr/bin/env bash
# H100: where do OpenCL's lost microseconds go when its first kernel follows the input upload?
# XP hooks: TANDEM_XP_EVLOG (per-run QUEUED/SUBMIT/START/END of writes and kernels),
# TANDEM_XP_TINY (a 4-byte fill kernel after the writes), TANDEM_XP_NB (non-blocking writes).
b=.dev/gpu69; r=/tmp/r70; mkdir -p $r
pack() { tar czf $OUT/r70.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
bench() { local name=$1; shift; env VK_DRIVER_FILES=/nonexistent.json TANDEM_XP_EVLOG=$r/$name.ev "$@" timeout 200 $b/tandem-bench --device gpu --section conv --budget-ms 150 --json $r/$name.json > $r/$name.md 2>&1; echo "$name rc=$? $(date +%T)" >> $r/log; pack; }
bench default
bench tiny TANDEM_XP_TINY=1
bench nb TANDEM_XP_NB=1
bench nb-tiny TANDEM_XP_NB=1 TANDEM_XP_TINY=1
bench evict1 TANDEM_XP_EVICT=1
bench default-2
cat $r/log
for f in $r/*.md; do echo "== $f"; grep -E '1x1 128->128|1x1 256->64|3x3 64->64 @56|1x1 32' $f; done
