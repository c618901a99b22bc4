#!/usr/bin/env bash
# H100 at the 32-row conv blocks commit: the --quick conv layers (the 3x3 s2 3->32 first layer
# among them), OpenCL alone, batch 64 and 16, two processes each.
b=.dev/gpu74; r=/tmp/r74; mkdir -p $r
pack() { tar czf $OUT/r74.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
for batch in 64 16; do for i in 1 2; do
  timeout 60 $b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 150 > $r/b$batch-$i.md 2>&1
  echo "b$batch-$i rc=$? $(grep '3->32' $r/b$batch-$i.md | awk -F'|' '{print $5}') $(grep '1x1 32->64' $r/b$batch-$i.md | awk -F'|' '{print $5}') $(grep -c wrong $r/b$batch-$i.md)" >> $r/log; pack
done; done
cat $r/log
