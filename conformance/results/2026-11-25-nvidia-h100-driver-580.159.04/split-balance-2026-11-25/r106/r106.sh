#!/usr/bin/env bash
# H100: the example models end to end with the wave-balance split counts (gpu104, e890f6d)
# against 4c57e94's rules (gpu96), alternating: their small layers now split differently.
r=/tmp/r106; mkdir -p $r
pack() { tar czf $OUT/r106.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for rep in 1 2; do
  for v in gpu104 gpu96; do
    timeout 100 .dev/$v/tandem-bench --device gpu --section models --budget-ms 500 > $r/models-$v-$rep.md 2>&1; pack
  done
done
for f in $r/models-*.md; do echo "== $f"; grep -E "^\| " $f | head -12; done
