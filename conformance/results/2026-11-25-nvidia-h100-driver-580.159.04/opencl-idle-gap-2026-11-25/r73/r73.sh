#!/usr/bin/env bash
# H100: an experiment kernel (kernels/conv_stream.cl, TANDEM_XP_STREAM=MC, never committed
# unless it wins) for the memory-bound 1x1 32->64, against the tile loop. OpenCL alone, --quick.
b=.dev/gpu73; r=/tmp/r73; mkdir -p $r
pack() { tar czf $OUT/r73.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
for batch in 64 16; do
  for mc in 0 16 8 4 32 16; do
    name=b$batch-mc$mc; [ -e $r/$name.md ] && name=$name-2
    if [ $mc = 0 ]; then tv=; else tv="TANDEM_XP_STREAM=$mc"; fi
    env $tv timeout 60 $b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 150 > $r/$name.md 2>&1
    echo "$name rc=$? $(date +%T) $(grep '1x1 32->64' $r/$name.md | awk -F'|' '{print $5}') $(grep -c wrong $r/$name.md)" >> $r/log; pack
  done
done
cat $r/log
