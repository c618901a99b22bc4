#!/usr/bin/env bash
# H100: (1) ci/gpu-bench --section conv --conv-batch 64 at 807422e (gpu122), cuDNN in the same
# run: the batch-64 conv table since B's vec4 stores. (2) What split-K's second pass costs at
# batch 16: gpu123 (31a7dea + skip-split-sum.patch.txt) with TANDEM_XP_SKIP_SPLIT_SUM set
# (the sum pass not launched: wrong outputs, timing only) and unset, alternating.
r=/tmp/r123; mkdir -p $r
pack() { tar czf $OUT/r123.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for rep in 1 2; do
  for v in keep skip; do
    ( [ $v = skip ] && export TANDEM_XP_SKIP_SPLIT_SUM=1
      timeout 90 .dev/gpu123/tandem-bench --device gpu --section conv --conv-layer "@14" --conv-layer "@7" --conv-batch 16 --budget-ms 300 > $r/split-$v-$rep.md 2>&1 )
    echo "== $v $rep" >> $r/log; grep -E "^\| (mobilenet|resnet)" $r/split-$v-$rep.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; pack
  done
done
export TANDEM_BENCH_BIN=.dev/gpu122/tandem-bench TANDEM_BIN=.dev/gpu122/tandem
timeout 330 ci/gpu-bench $r/conv-batch64-807422e --section conv --conv-batch 64 > $r/b64.txt 2>&1; pack
cat $r/log
grep -E "^\| (mobilenet|resnet)" $r/conv-batch64-807422e/bench.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7,8,9
