#!/usr/bin/env bash
# H100: Vulkan conv_gemm.comp with constant weights stored [K][M] and staged as vec4s along M
# (gpu144 = 313ce05 + the candidate behind TANDEM_XP_K_MAJOR=1), alternating off / on at
# batch 16 and 64. r144 again with OpenCL beside it: Vulkan alone ran at low clocks.
r=/tmp/r145; mkdir -p $r
pack() { tar czf $OUT/r145.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d"|" -f2,5,7 >> $r/log; }
run() {  # name xp batch
  ( [ $2 = on ] && export TANDEM_XP_K_MAJOR=1
    timeout 110 .dev/gpu144/tandem-bench --device gpu --section conv --conv-batch $3 --budget-ms 250 --conv-layer resnet --conv-layer 512->512 > $r/$1.md 2> $r/$1.err )
  echo "== $1 ($2, batch $3) ${SECONDS}s" >> $r/log; row $r/$1.md; pack
}
run b16-off-1 off 16; run b16-on-1 on 16; run b16-off-2 off 16; run b16-on-2 on 16
run b64-off-1 off 64; run b64-on-1 on 64
cat $r/log
