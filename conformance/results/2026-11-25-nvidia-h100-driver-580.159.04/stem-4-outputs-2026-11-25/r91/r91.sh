#!/usr/bin/env bash
# H100: Vulkan's 4-output stem shader (gpu91, TANDEM_XP_STEM4=vec4) with work groups of 64
# or 256 (TANDEM_XP_WG) and its output loop unrolled by 2 (TANDEM_XP_OSTEP), against the
# 2-output window shader: quick conv at batch 64 and 16, alternating; register counts.
r=/tmp/r91; mkdir -p $r/ir
pack() { tar czf $OUT/r91.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
b=.dev/gpu91
TANDEM_XP_STEM4=vec4 TANDEM_XP_OSTEP=1 TANDEM_XP_PIPELINE_STATS=$r/ir timeout 60 $b/tandem-bench --device gpu --section conv --quick --conv-batch 16 --budget-ms 30 > $r/stats.md 2> $r/stats.err
grep -h XPSTATS $r/stats.err | grep quad4 >> $r/log; pack
run() {  # name, env...
  local name=$1; shift
  env "$@" timeout 90 $b/tandem-bench --device gpu --section conv --quick --conv-batch $batch --budget-ms 300 > $r/q-$batch-$name-$rep.md 2>&1
  echo "b$batch $name: $(grep -E '3x3 s2 3->32' $r/q-$batch-$name-$rep.md)" >> $r/log; pack
}
for batch in 64 16; do
  for rep in 1 2; do
    run base X=1
    run q4 TANDEM_XP_STEM4=vec4
    run q4-ostep2 TANDEM_XP_STEM4=vec4 TANDEM_XP_OSTEP=1
    run q4-wg64 TANDEM_XP_STEM4=vec4 TANDEM_XP_WG=64
    run q4-wg256 TANDEM_XP_STEM4=vec4 TANDEM_XP_WG=256
  done
done
cat $r/log
