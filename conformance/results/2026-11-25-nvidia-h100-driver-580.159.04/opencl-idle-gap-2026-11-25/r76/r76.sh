#!/usr/bin/env bash
# H100: the experiment stream kernel (r73) with fewer quads per work-group (TANDEM_XP_QUADS),
# 1x1 32->64 at batch 64 and 16, OpenCL alone, --quick.
b=.dev/gpu76; r=/tmp/r76; mkdir -p $r
pack() { tar czf $OUT/r76.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
for batch in 64 16; do
  for cfg in "0 0" "8 32" "4 16" "16 16" "8 16" "4 64"; do
    set -- $cfg; name=b$batch-mc$1-q$2
    if [ $1 = 0 ]; then tv=; else tv="TANDEM_XP_STREAM=$1 TANDEM_XP_QUADS=$2"; fi
    env $tv timeout 40 $b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 100 > $r/$name.md 2>&1
    echo "$name rc=$? $(grep '1x1 32->64' $r/$name.md | awk -F'|' '{print $5}') $(grep -c wrong $r/$name.md)" >> $r/log; pack
  done
done
cat $r/log
