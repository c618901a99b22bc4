#!/usr/bin/env bash
# H100: Vulkan's 1x1 1024->256 at 14x14, batch 16. gpu152 = eb03f89 + xp.patch.txt:
# TANDEM_XP_SKIP_SUM / TANDEM_XP_SKIP_GEMM leave out split-K's second pass / the GEMM (the
# result check off with TANDEM_XP_NOCHECK), TANDEM_XP_PW_SPLIT="TILING:PARTS" forces a split.
# Forced unsplit tilings through TANDEM_VULKAN_GEMM_TILING (>= 96 blocks: not split).
r=/tmp/r152; mkdir -p $r
pack() { tar czf $OUT/r152.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
row() { grep -E "^\| (mobilenet|resnet)" $1 | grep -v " dw " | cut -d'|' -f2,5,7 >> $r/log; }
for rep in 1 2; do
  for v in default split:64x64x16/4x8:2 skipsum skipgemm tile:32x64x16/4x4 tile:32x64x16/4x8 tile:32x64x32/4x4 tile:64x32x16/4x4 tile:64x32x16/8x4 tile:32x32x16/4x4 tile:32x128x16/4x8 tile:64x64x16/4x8 default; do
    f=$r/$(echo $v | tr /: __)-$rep
    ( case $v in
        split:*) export TANDEM_XP_PW_SPLIT=${v#split:} ;;
        tile:*) export TANDEM_VULKAN_GEMM_TILING=${v#tile:} ;;
        skipsum) export TANDEM_XP_SKIP_SUM=1 TANDEM_XP_NOCHECK=1 ;;
        skipgemm) export TANDEM_XP_SKIP_GEMM=1 TANDEM_XP_NOCHECK=1 ;;
      esac
      timeout 60 .dev/gpu152/tandem-bench --device gpu --section conv --conv-layer "1024->256" --conv-batch 16 --budget-ms 250 > $f.md 2> $f.err )
    echo "== $v ($rep) ${SECONDS}s" >> $r/log; row $f.md; pack
  done
done
cat $r/log
