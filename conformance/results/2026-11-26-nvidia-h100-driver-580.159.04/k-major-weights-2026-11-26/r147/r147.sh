#!/usr/bin/env bash
# H100, OpenCL alone: why [K][M] weights lost on some layers (r146). gpu147 = the change +
# xp.patch.txt: TANDEM_XP_NV_VERBOSE prints NVIDIA's build logs (registers, spills),
# TANDEM_XP_CL_NO_KMAJOR turns the OpenCL [K][M] weights off, TANDEM_XP_CAP_UNSPLIT=B caps
# unsplit conv programs at their share of registers with B blocks a multiprocessor.
r=/tmp/r147; mkdir -p $r
pack() { tar czf $OUT/r147.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5 >> $r/log; }
run() {  # name batch env...
  local name=$1 batch=$2; shift 2
  ( export TANDEM_XP_NV_VERBOSE=1 VK_DRIVER_FILES=/nonexistent.json "$@"
    timeout 90 .dev/gpu147/tandem-bench --device gpu --section conv --conv-layer resnet --conv-layer "512->512" --conv-batch $batch --budget-ms 250 > $r/$name.md 2> $r/$name.err )
  echo "== $name (batch $batch) $* ${SECONDS}s" >> $r/log; row $r/$name.md
  awk '/XP build log/{print; p=1; next} p && /registers|stack|spill/' $r/$name.err | grep -E "XP build log of conv_tiled|Used|spill" | sed 's/ptxas info    : //' >> $r/log; pack
}
run b16-k 16
run b16-o 16 TANDEM_XP_CL_NO_KMAJOR=1
run b16-k3 16 TANDEM_XP_CAP_UNSPLIT=3
run b16-k2 16 TANDEM_XP_CAP_UNSPLIT=2
run b16-o2 16 TANDEM_XP_CL_NO_KMAJOR=1
run b16-kb 16
run b64-k 64
run b64-o 64 TANDEM_XP_CL_NO_KMAJOR=1
run b64-k3 64 TANDEM_XP_CAP_UNSPLIT=3
run b64-k4 64 TANDEM_XP_CAP_UNSPLIT=4
cat $r/log
