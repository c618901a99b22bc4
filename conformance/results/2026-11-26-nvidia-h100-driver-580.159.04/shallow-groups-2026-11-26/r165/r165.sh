#!/usr/bin/env bash
# H100: gpu165 = OpenCL pointwise shallow groups of 256 (50b99f6) + Vulkan pointwise shallow
# workgroup size by TANDEM_XP_VK_SHALLOW_LOCAL, against gpu163 (97e0ba8).
r=/tmp/r165; mkdir -p $r
pack() { tar czf $OUT/r165.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for run in base:1 128:1 256:1 64:1 base:2 128:2 256:2 64:2; do
  IFS=: read v rep <<< "$run"
  for batch in 16 64; do
    f=$r/$v-b$batch-$rep
    if [ $v = base ]; then
      timeout 60 .dev/gpu163/tandem-bench --device gpu --section conv --conv-layer "32->64 @112" --conv-batch $batch --budget-ms 250 > $f.md 2> $f.err
    else
      TANDEM_XP_VK_SHALLOW_LOCAL=$v timeout 60 .dev/gpu165/tandem-bench --device gpu --section conv --conv-layer "32->64 @112" --conv-batch $batch --budget-ms 250 > $f.md 2> $f.err
    fi
    echo "== $v batch $batch ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
cat $r/log
