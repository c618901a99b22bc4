#!/usr/bin/env bash
# H100, OpenCL only: register counts (-cl-nv-verbose) and PTX of the conv programs, the tile
# loop against the stream kernel (TANDEM_EXP_STREAM=8), -cl-nv-maxrregcount on the tile loop,
# and SASS where a ptxas/nvdisasm can be found on the machine.
b=.dev/gpu56; r=/tmp/r56; mkdir -p $r
pack() { tar czf $OUT/r56.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
{ timeout 60 find / -xdev \( -name ptxas -o -name nvdisasm -o -name cuobjdump -o -name 'libnvptxcompiler*' \) 2>/dev/null | head -20
  python3 -c "import triton, os; print(triton.__file__)" 2>&1 | tail -1; } > $r/tools.txt
pack
run() { # name, env..., bench args after --
  local name=$1; shift; mkdir -p $r/$name
  echo "== $name $(date +%T)" >> $r/log
  env TANDEM_EXP_DUMP=$r/$name "$@" timeout 60 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/$name/conv.md 2>&1
  echo "rc=$?" >> $r/log; pack
}
V="-cl-nv-verbose"
run tile TANDEM_EXP_CL_OPTIONS="$V"
run stream8 TANDEM_EXP_CL_OPTIONS="$V" TANDEM_EXP_STREAM=8
run stream8-u8 TANDEM_EXP_CL_OPTIONS="$V" TANDEM_EXP_STREAM=8 TANDEM_EXP_UNROLL=8
run tile-r128 TANDEM_EXP_CL_OPTIONS="$V -cl-nv-maxrregcount=128"
run tile-r96 TANDEM_EXP_CL_OPTIONS="$V -cl-nv-maxrregcount=96"
run stream8-r64 TANDEM_EXP_CL_OPTIONS="$V -cl-nv-maxrregcount=64" TANDEM_EXP_STREAM=8
run tile-again TANDEM_EXP_CL_OPTIONS="$V"
# SASS of the 1x1 programs where a ptxas is around.
ptxas=$(grep -m1 '/ptxas$' $r/tools.txt); dis=$(grep -m1 '/nvdisasm$' $r/tools.txt); cuo=$(grep -m1 '/cuobjdump$' $r/tools.txt)
if [ -n "$ptxas" ]; then
  mkdir -p $r/sass
  for f in $r/tile/conv_tiled*pointwise* $r/stream8/conv_pointwise*; do
    case $f in *.ptx) ;; *) continue ;; esac
    n=$(basename $(dirname $f))-$(basename $f .ptx)
    $ptxas -v -arch=sm_90 -O3 $f -o $r/sass/$n.cubin > $r/sass/$n.ptxas.txt 2>&1
    [ -n "$cuo" ] && $cuo -sass $r/sass/$n.cubin > $r/sass/$n.sass 2>&1
    [ -z "$cuo" ] && [ -n "$dis" ] && $dis $r/sass/$n.cubin > $r/sass/$n.sass 2>&1
    rm -f $r/sass/$n.cubin
  done
  pack
fi
cat $r/log; cat $r/tools.txt
