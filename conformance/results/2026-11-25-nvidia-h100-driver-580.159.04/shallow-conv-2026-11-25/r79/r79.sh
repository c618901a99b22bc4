#!/usr/bin/env bash
# H100: why the transformer's OpenCL steady run is slow (0.51 ms, device span 0.44) while
# mobilenet's is not: tandem run cold then warm cache, with the committed two events, with
# events on every kernel (TANDEM_XP_EVENTS=all, per-kernel dump) and with none.
b=.dev/gpu79; r=/tmp/r79; mkdir -p $r
pack() { tar czf $OUT/r79.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
export VK_DRIVER_FILES=/nonexistent.json
for m in transformer_block mobilenet_tiny; do
  export XDG_CACHE_HOME=/tmp/xdg-$m
  run() { timeout 60 $b/tandem run examples/$m.onnx --backend opencl --device gpu --repeat 500 2>&1 | grep -E "^time|^cache" | tr '\n' ' '; }
  echo "$m cold: $(run)" >> $r/log
  echo "$m warm: $(run)" >> $r/log
  echo "$m warm none: $(TANDEM_XP_EVENTS=none run)" >> $r/log
  echo "$m warm all: $(TANDEM_XP_EVENTS=all TANDEM_XP_DUMP=$r/dump-warm-$m.txt run)" >> $r/log
  rm -rf /tmp/xdg-$m
  echo "$m cold all: $(TANDEM_XP_EVENTS=all TANDEM_XP_DUMP=$r/dump-cold-$m.txt run)" >> $r/log
  echo "$m warm2: $(run)" >> $r/log
  pack
done
unset XDG_CACHE_HOME
timeout 120 $b/tandem-bench --device gpu --section models --models-dir examples > $r/models.md 2>&1; pack
cat $r/log; tail -5 $r/models.md
