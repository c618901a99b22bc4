#!/usr/bin/env bash
# H100: where a Vulkan compile's time goes, cold and warm (TANDEM_XP_PHASES, an experiment
# patch: phase times on stderr), five cold/warm pairs per example model, drivers' caches off.
r=/tmp/r99; mkdir -p $r
pack() { tar czf $OUT/r99.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export POCL_KERNEL_CACHE=0 CUDA_CACHE_DISABLE=1 __GL_SHADER_DISK_CACHE=0 TANDEM_XP_PHASES=1
for model in transformer_block mobilenet_tiny; do
  for pair in 1 2 3 4 5; do
    cache=$(mktemp -d)
    for kind in cold warm; do
      TANDEM_CACHE_DIR=$cache timeout 60 .dev/gpu99/tandem run examples/$model.onnx --backend vulkan --device gpu --repeat 0 --json > $r/$model-$pair-$kind.json 2> $r/$model-$pair-$kind.err
      echo "$model $pair $kind: $(grep -o '"compile": [0-9.]*' $r/$model-$pair-$kind.json) $(grep -h '^xp' $r/$model-$pair-$kind.err | awk '{printf "%s=%s ", $2, $3}')" >> $r/log
    done
    rm -rf $cache; pack
  done
done
cat $r/log
