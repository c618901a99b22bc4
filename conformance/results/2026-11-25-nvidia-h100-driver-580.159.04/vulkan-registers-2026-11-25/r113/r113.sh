#!/usr/bin/env bash
# H100: gemm_tiled.comp with its store loops nested as conv_gemm.comp's (gpu113, the tiling
# rules of 18a1617) against 18a1617 (gpu110): the default SGEMM tilings must not lose.
r=/tmp/r113; mkdir -p $r
pack() { tar czf $OUT/r113.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for v in gpu113 gpu110; do
  timeout 110 .dev/$v/tandem-bench --device gpu --section gemm --budget-ms 300 > $r/gemm-$v.md 2>&1; pack
done
for f in $r/gemm-*.md; do echo "== $f"; grep -E "^\| (square|trans|mob)" $f | cut -d'|' -f2,3,4,5,7,8; done
