#!/usr/bin/env bash
# H100: tandem-bench's note on Vulkan alone on NVIDIA (quick conv section with and without
# the NVIDIA OpenCL device).
b=.dev/gpu68; r=/tmp/r68; mkdir -p $r /tmp/emptyv
pack() { tar czf $OUT/r68.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
timeout 100 $b/tandem-bench --device gpu --section conv --quick --budget-ms 20 --json $r/both.json > $r/both.md 2>&1; echo "both rc=$?" >> $r/log; pack
OCL_ICD_VENDORS=/tmp/emptyv OCL_ICD_FILENAMES= timeout 100 $b/tandem-bench --device gpu --section conv --quick --budget-ms 20 --json $r/alone.json > $r/alone.md 2>&1; echo "alone rc=$?" >> $r/log; pack
cat $r/log; head -6 $r/both.md; head -6 $r/alone.md
