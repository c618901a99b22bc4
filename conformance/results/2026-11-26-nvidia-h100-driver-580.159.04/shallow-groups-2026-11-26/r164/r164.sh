#!/usr/bin/env bash
# H100: OpenCL shallow kernels' work-group size (TANDEM_XP_SHALLOW_LOCAL, gpu164 = 7a474d3 +
# xp-local.patch) against the default 128 (gpu163 = 97e0ba8): stem and 1x1 32->64, b16 / b64.
r=/tmp/r164; mkdir -p $r
pack() { tar czf $OUT/r164.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for run in base:1 256:1 512:1 64:1 base:2 256:2 512:2 64:2; do
  IFS=: read v rep <<< "$run"
  for batch in 16 64; do
    f=$r/$v-b$batch-$rep
    if [ $v = base ]; then
      timeout 60 .dev/gpu163/tandem-bench --device gpu --section conv --conv-layer "3->32 @224" --conv-layer "32->64 @112" --conv-batch $batch --budget-ms 250 > $f.md 2> $f.err
    else
      TANDEM_XP_SHALLOW_LOCAL=$v timeout 60 .dev/gpu164/tandem-bench --device gpu --section conv --conv-layer "3->32 @224" --conv-layer "32->64 @112" --conv-batch $batch --budget-ms 250 > $f.md 2> $f.err
    fi
    echo "== $v batch $batch ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
cat $r/log
