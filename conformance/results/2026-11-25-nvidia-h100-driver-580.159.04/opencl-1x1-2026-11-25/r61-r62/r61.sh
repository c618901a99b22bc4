#!/usr/bin/env bash
# H100: the SASS NVIDIA's Vulkan driver makes of conv_pointwise.comp (1x1 128->128 and 256->64
# at batch 16), from the pipeline cache tandem persists: ELF images cut out of it, then
# cuobjdump/nvdisasm of CUDA 13.0.
b=.dev/gpu61; r=/tmp/r61; mkdir -p $r
pack() { tar czf $OUT/r61.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
P=/usr/local/cuda-13.0/bin
for m in pw128 pw256; do
  rm -rf /tmp/sass-cache
  $b/tandem run --config $b/cfg.yaml $b/$m.onnx --repeat 20 > $r/$m-run.txt 2>&1
  f=$(ls /tmp/sass-cache/tandem_vk_pipeline_cache.*.bin | head -1)
  cp $f $r/$m-cache.bin
  python3 $b/elves.py $f $r/$m > $r/$m-elves.txt 2>&1
  for e in $r/$m-*.elf; do
    [ -f "$e" ] || continue
    $P/cuobjdump -sass $e > $e.cuobjdump.sass 2>&1
    $P/nvdisasm -c $e > $e.nvdisasm.sass 2>&1
    $P/cuobjdump -elf $e > $e.elf.txt 2>&1
  done
  strings -n 6 $f | head -100 > $r/$m-strings.txt
  pack
done
cat $r/*-elves.txt; head -c 600 $r/pw128-run.txt
