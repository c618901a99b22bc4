#!/usr/bin/env bash
# H100, OpenCL only: PTX patched before the driver's JIT (TANDEM_EXP_PTX_SED): .minnctapersm
# (fewer registers, more blocks per SM) and ld.global.nc, on the tile loop and the stream
# kernel (TANDEM_EXP_STREAM=8); SASS of each through CUDA 13's ptxas.
b=.dev/gpu57; r=/tmp/r57; mkdir -p $r
pack() { tar czf $OUT/r57.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
run() { # name, env...
  local name=$1; shift; mkdir -p $r/$name
  echo "== $name $(date +%T)" >> $r/log
  env TANDEM_EXP_DUMP=$r/$name TANDEM_EXP_CL_OPTIONS=-cl-nv-verbose "$@" timeout 60 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/$name/conv.md 2>&1
  echo "rc=$?" >> $r/log; pack
}
M128='.reqntid 128, 1, 1=>.reqntid 128, 1, 1\n.minnctapersm 4'
M256='.reqntid 256, 1, 1=>.reqntid 256, 1, 1\n.minnctapersm 4'
NC='ld.global.v4.f32=>ld.global.nc.v4.f32;;ld.global.f32=>ld.global.nc.f32'
run tile
run tile-m4 TANDEM_EXP_PTX_SED="$M128"
run tile-nc TANDEM_EXP_PTX_SED="$NC"
run tile-nc-m4 TANDEM_EXP_PTX_SED="$NC;;$M128"
run stream TANDEM_EXP_STREAM=8
run stream-m4 TANDEM_EXP_STREAM=8 TANDEM_EXP_PTX_SED="$M256"
run stream-nc TANDEM_EXP_STREAM=8 TANDEM_EXP_PTX_SED="$NC"
run stream-nc-m4 TANDEM_EXP_STREAM=8 TANDEM_EXP_PTX_SED="$NC;;$M256"
run tile-again
P=/usr/local/cuda-13.0/bin
mkdir -p $r/sass
for f in $r/tile/*pointwise_vec-ab_.ptx $r/tile-m4/*pointwise_vec-ab_.patched.ptx $r/stream/conv_pointwise.cl_128_.ptx $r/stream-m4/conv_pointwise.cl_128_.patched.ptx $r/stream-nc/conv_pointwise.cl_128_.patched.ptx; do
  n=$(basename $(dirname $f))-$(basename $f .ptx)
  tr -d '\000' < $f > /tmp/k.ptx
  $P/ptxas -v -arch=sm_90 -O3 /tmp/k.ptx -o /tmp/k.cubin > $r/sass/$n.ptxas.txt 2>&1
  $P/cuobjdump -sass /tmp/k.cubin > $r/sass/$n.sass 2>&1
done
pack
cat $r/log
