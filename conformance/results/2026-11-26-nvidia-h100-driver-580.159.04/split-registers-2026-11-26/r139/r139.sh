#!/usr/bin/env bash
# H100: the candidate layout (gpu139 = a5f402a + r138's candidate + hooks: TANDEM_XP_NO_REQD
# drops reqd_work_group_size from split programs' conv_tiled, TANDEM_XP_CAP64 / CAP128 add
# -cl-nv-maxrregcount=N to split programs of 64- / 128-row blocks) against gpu133a (a5f402a's
# OpenCL code), alternating.
r=/tmp/r139; mkdir -p $r
pack() { tar czf $OUT/r139.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,4,5 >> $r/log; }
run() {  # name binary env... -- bench args
  local name=$1 bin=$2; shift 2
  local envs=(); while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  ( export TANDEM_XP_NV_VERBOSE=1 VK_DRIVER_FILES=/nonexistent.json "${envs[@]}"
    timeout 90 $bin --device gpu --section conv --conv-batch 16 --budget-ms 300 "$@" > $r/$name.md 2> $r/$name.err )
  echo "== $name ${envs[*]} $* ${SECONDS}s" >> $r/log; row $r/$name.md
  awk '/XP build log/{p=/split-k/} p' $r/$name.err | grep -E "XP build|registers|stack" >> $r/log; pack
}
A=.dev/gpu133a/tandem-bench C=.dev/gpu139/tandem-bench
L14=(--conv-layer "@14" --conv-layer "s2 64->128")
run 14-k $C TANDEM_XP_NO_REQD=1 TANDEM_XP_CAP64=168 -- "${L14[@]}"
run 14-r $C TANDEM_XP_NO_REQD=1 -- "${L14[@]}"
run 14-a $A -- "${L14[@]}"
run 14-k128 $C TANDEM_XP_NO_REQD=1 TANDEM_XP_CAP64=168 TANDEM_XP_CAP128=128 -- "${L14[@]}"
run 14-k2 $C TANDEM_XP_NO_REQD=1 TANDEM_XP_CAP64=168 -- "${L14[@]}"
run 7-k $C TANDEM_XP_NO_REQD=1 TANDEM_XP_CAP64=168 -- --conv-layer "@7"
run 7-a $A -- --conv-layer "@7"
run 7-k2 $C TANDEM_XP_NO_REQD=1 TANDEM_XP_CAP64=168 -- --conv-layer "@7"
cat $r/log
