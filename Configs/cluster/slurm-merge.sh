#!/usr/bin/env bash
# The merge step of a sweep's Slurm job array, submitted by slurm-submit.sh with --dependency=afterany, so it runs
# once every task has ended, whether it finished or not. It merges every shard database that exists (a shard
# that stopped part-way still holds finished runs) into Results/NAME.sqlite, then names the shards that are
# missing or did not finish and the command that resubmits them, and exits 1 if there are any. Merging again
# after a resubmission adds only what is new.
#SBATCH --job-name=gracesim-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=01:00:00
set -euo pipefail
sweep="${1:?usage: slurm-merge.sh SWEEP.yaml N}"
shards="${2:?usage: slurm-merge.sh SWEEP.yaml N}"
name="$(basename "$sweep" .yaml)"
shard_dir="Results/shards/$name"
present=()
unfinished=()
for ((i = 0; i < shards; i++)); do
    [[ -s "$shard_dir/$name-$i.sqlite" ]] && present+=("$shard_dir/$name-$i.sqlite")
    [[ -e "$shard_dir/$name-$i.done" ]] || unfinished+=("$i")
done
if ((${#present[@]} > 0)); then
    "${GRACESIM:-gracesim}" merge "Results/$name.sqlite" "${present[@]}"
fi
if ((${#unfinished[@]} > 0)); then
    list="$(IFS=,; echo "${unfinished[*]}")"
    echo "merged $((shards - ${#unfinished[@]})) of $shards shards complete into Results/$name.sqlite; missing or unfinished: $list (resubmit: Configs/cluster/slurm-submit.sh $sweep $shards $list)" >&2
    exit 1
fi
echo "merged all $shards shards into Results/$name.sqlite"
