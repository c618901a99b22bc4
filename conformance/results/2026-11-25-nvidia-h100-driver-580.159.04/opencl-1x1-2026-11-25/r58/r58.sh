#!/usr/bin/env bash
# H100: why OpenCL's 1x1 layers vary from process to process (33-45% of peak for the same
# kernels): nvidia-smi logs clocks, power and throttle reasons every 100 ms while the conv
# section runs alternately with and without ld.global.nc, then Vulkan alone twice.
b=.dev/gpu57; r=/tmp/r58; mkdir -p $r
pack() { tar czf $OUT/r58.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
vk=$VK_DRIVER_FILES
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,clocks_throttle_reasons.active,utilization.gpu --format=csv -lms 100 > $r/smi.csv 2>&1 &
smi=$!
nvidia-smi -q -d CLOCK,POWER,PERFORMANCE > $r/smi-q.txt 2>&1
run() { # name, env...
  local name=$1; shift; mkdir -p $r/$name
  echo "== $name $(date +%T.%N)" >> $r/log
  env "$@" timeout 60 $b/tandem-bench --device gpu --section conv --budget-ms 150 > $r/$name/conv.md 2>&1
  echo "rc=$? $(date +%T.%N)" >> $r/log; pack
}
NC='ld.global.v4.f32=>ld.global.nc.v4.f32;;ld.global.f32=>ld.global.nc.f32'
for i in 1 2 3; do
  run tile-$i VK_DRIVER_FILES=/nonexistent.json
  run nc-$i VK_DRIVER_FILES=/nonexistent.json TANDEM_EXP_PTX_SED="$NC"
done
run vulkan-1 VK_DRIVER_FILES=$vk OCL_ICD_FILENAMES=/nonexistent.so
run vulkan-2 VK_DRIVER_FILES=$vk OCL_ICD_FILENAMES=/nonexistent.so
kill $smi
pack
cat $r/log
