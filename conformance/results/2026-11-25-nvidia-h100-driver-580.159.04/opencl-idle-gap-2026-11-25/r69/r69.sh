#!/usr/bin/env bash
# H100: is OpenCL's 1x1 gap the kernel or the L2 state its input arrives in? XP hooks:
# TANDEM_XP_TWICE (dispatches once untimed first), TANDEM_XP_EVICT=MiB (fill a scratch buffer
# after the input upload), TANDEM_XP_REPEAT=N (the conv section N times in one process).
b=.dev/gpu69; r=/tmp/r69; mkdir -p $r
pack() { tar czf $OUT/r69.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
vk="$VK_DRIVER_FILES"
bench() { local name=$1; shift; env "$@" timeout 200 $b/tandem-bench --device gpu --section conv --budget-ms 150 --json $r/$name.json > $r/$name.md 2>&1; echo "$name rc=$? $(date +%T)" >> $r/log; pack; }
bench cl-repeat3 VK_DRIVER_FILES=/nonexistent.json TANDEM_XP_REPEAT=3
bench cl-twice VK_DRIVER_FILES=/nonexistent.json TANDEM_XP_TWICE=1
bench cl-evict VK_DRIVER_FILES=/nonexistent.json TANDEM_XP_EVICT=128
bench cl-twice-2 VK_DRIVER_FILES=/nonexistent.json TANDEM_XP_TWICE=1
bench both-evict TANDEM_XP_EVICT=128
bench both-default
cat $r/log
for f in $r/*.md; do echo "== $f"; grep -E '1x1 128->128|1x1 256->64|3x3 64->64 @56|1x1 512' $f; done
