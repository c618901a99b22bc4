#!/usr/bin/env bash
# H100: which part of gemm_tiled.comp puts 256 bytes of local memory into its 8x8 pipelines
# (conv_gemm.comp's, on the same tile loop, have none). Experiment builds (bench shapes only):
# vA no batch loop, vB no bound tests in the vec4 loads, vAB both, vC both and no alpha/beta.
r=/tmp/r109; mkdir -p $r/ir
pack() { tar czf $OUT/r109.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export TANDEM_XP_PIPELINE_STATS=$r/ir TANDEM_VULKAN_GEMM_TILING=128x128x8/8x8
for v in vA vB vAB vC; do
  timeout 90 .dev/gpu109$v/tandem-bench --device gpu --section gemm --quick --budget-ms 100 > $r/gemm-$v.md 2> $r/gemm-$v.err; pack
  echo "== $v"; grep -h XPSTATS $r/gemm-$v.err | grep gemm_tiled | sort -u | cut -c1-200; grep -E "^\| square" $r/gemm-$v.md
done
