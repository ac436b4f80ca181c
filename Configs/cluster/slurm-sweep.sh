#!/usr/bin/env bash
# One task of a sweep's Slurm job array: shard $SLURM_ARRAY_TASK_ID of SHARDS, into its own database. Submit it
# with slurm-submit.sh, which creates the folders first and adds the merge job; by hand:
#
#   mkdir -p Results/shards/c1-strategy-rate
#   sbatch --array=0-15 --output=Results/shards/c1-strategy-rate/slurm-%A_%a.log \
#       Configs/cluster/slurm-sweep.sh Configs/sweeps/c1-strategy-rate.yaml 16
#
# The shard is given explicitly (--shard i/N), so a resubmitted task (sbatch --array=7 ... 16) runs shard 7/16
# only and skips the points its database already holds. One database per task: an SQLite file must never be
# written from several machines over a network filesystem. The task writes NAME-i.done when its shard is complete.
#SBATCH --job-name=gracesim-sweep
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=04:00:00
set -euo pipefail
sweep="${1:?usage: sbatch --array=0-(N-1) slurm-sweep.sh SWEEP.yaml N}"
shards="${2:?usage: sbatch --array=0-(N-1) slurm-sweep.sh SWEEP.yaml N}"
task="${SLURM_ARRAY_TASK_ID:?not a task of a Slurm job array (submit with slurm-submit.sh)}"
name="$(basename "$sweep" .yaml)"
shard_dir="Results/shards/$name"
mkdir -p "$shard_dir"
rm -f "$shard_dir/$name-$task.done"
"${GRACESIM:-gracesim}" sweep "$sweep" --shard "$task/$shards" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --db "$shard_dir/$name-$task.sqlite"
touch "$shard_dir/$name-$task.done"
