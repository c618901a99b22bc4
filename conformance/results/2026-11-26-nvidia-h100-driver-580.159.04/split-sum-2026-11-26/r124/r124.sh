#!/usr/bin/env bash
# H100: what split-K's second pass costs at batch 16. gpu123 (31a7dea + skip-split-sum.patch.txt:
# with TANDEM_XP_SKIP_SPLIT_SUM set the sum pass is not launched and the bench's result check
# is skipped; timing only) with the variable set and unset, alternating, 14x14 and 7x7 layers.
r=/tmp/r124; mkdir -p $r
pack() { tar czf $OUT/r124.tgz -C $r .; }
source ci/gpu-env.sh
set +e +u
for rep in 1 2 3; do
  for v in keep skip; do
    ( [ $v = skip ] && export TANDEM_XP_SKIP_SPLIT_SUM=1
      timeout 90 .dev/gpu123/tandem-bench --device gpu --section conv --conv-layer "@14" --conv-layer "@7" --conv-batch 16 --budget-ms 300 > $r/split-$v-$rep.md 2>&1 )
    echo "== $v $rep" >> $r/log; grep -E "^\| (mobilenet|resnet)" $r/split-$v-$rep.md | grep -v " dw " | cut -d'|' -f2,4,5,6,7 >> $r/log; pack
  done
done
cat $r/log
