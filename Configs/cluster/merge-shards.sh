#!/usr/bin/env bash
# The merge step of a sharded sweep, run from the folder holding Results/ once every shard has ended, whether it
# finished or not: as Slurm's dependent job (slurm-submit.sh submits it with --dependency=afterany) or as the
# Kubernetes merge Job (k8s-merge-job.yaml). It merges every shard database Results/shards/NAME/NAME-i.sqlite
# that exists (a shard that stopped part-way still holds finished runs) into Results/NAME.sqlite, then names the
# shards that are missing or did not finish (no NAME-i.done), and exits 1 if there are any. Merging again after
# those shards are rerun adds only what is new.
#
#   Configs/cluster/merge-shards.sh Configs/sweeps/c1-strategy-rate.yaml 16
#SBATCH --job-name=gracesim-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=01:00:00
set -euo pipefail
sweep="${1:?usage: merge-shards.sh SWEEP.yaml N}"
shards="${2:?usage: merge-shards.sh SWEEP.yaml N}"
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
    echo "merged $((shards - ${#unfinished[@]})) of $shards shards complete into Results/$name.sqlite; missing or unfinished: $list (under Slurm, rerun them with: Configs/cluster/slurm-submit.sh $sweep $shards $list)" >&2
    exit 1
fi
echo "merged all $shards shards into Results/$name.sqlite"
