#!/usr/bin/env bash
# H100: VK_KHR_pipeline_executable_properties of conv_pointwise.comp (statistics and internal
# representations), 1x1 128->128 and 256->64 at batch 16.
b=.dev/gpu61; r=/tmp/r62; mkdir -p $r
pack() { tar czf $OUT/r62.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for m in pw128 pw256; do
  rm -rf /tmp/sass-cache; mkdir -p $r/$m
  TANDEM_EXP_VK_EXEC=$r/$m $b/tandem run --config $b/cfg.yaml $b/$m.onnx --repeat 20 > $r/$m/run.txt 2>&1
  pack
done
ls -la $r/*; head -50 $r/pw128/*.txt
