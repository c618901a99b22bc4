#!/usr/bin/env bash
# H100: the OpenCL tests of bfb108d + the split-conv cubin test, on NVIDIA's OpenCL driver
# alone (r140's OCL_ICD_VENDORS still left pocl first).
r=/tmp/r141; mkdir -p $r
pack() { tar czf $OUT/r141.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
env | grep -E "^OCL|^OPENCL" > $r/env.txt
ls -la /etc/OpenCL/vendors >> $r/env.txt
mkdir -p /tmp/nv-only && cp /etc/OpenCL/vendors/nvidia.icd /tmp/nv-only/
export OCL_ICD_VENDORS=/tmp/nv-only OCL_ICD_FILENAMES=/usr/lib/libnvidia-opencl.so.1
.dev/gpu141/tandem devices > $r/devices.txt 2>&1
grep -E "^opencl" $r/devices.txt >> $r/log
for t in opencl_cubin_upgrade_test opencl_gemm_test opencl_conv_test; do
  TANDEM_SOURCE_DIR=$PWD timeout 200 .dev/gpu141/$t > $r/$t.txt 2>&1
  echo "$t rc=$? ${SECONDS}s" >> $r/log; grep -E "PASSED|FAILED|SKIPPED|needs" $r/$t.txt >> $r/log; pack
done
cat $r/log $r/env.txt
