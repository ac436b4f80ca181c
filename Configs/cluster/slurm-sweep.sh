#!/usr/bin/env bash
# A sweep too big for one machine as a Slurm job array: each array task runs its share of the grid into its own
# database, and one dependent job merges them.
#
#   sbatch --array=0-15 Configs/cluster/slurm-sweep.sh Configs/sweeps/c1-strategy-rate.yaml
#   sbatch --dependency=afterok:<array job id> --wrap \
#       'gracesim merge Results/c1-strategy-rate.sqlite Results/shards/c1-strategy-rate-*.sqlite'
#
# `--shard auto` reads SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT, so the array range
# alone decides the number of shards. A task that fails or is preempted can simply be resubmitted
# (sbatch --array=<its id> ...): it skips the points its database already holds.
#SBATCH --job-name=gracesim-sweep
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=Results/shards/slurm-%A_%a.log
set -euo pipefail
sweep="${1:?usage: sbatch --array=0-N Configs/cluster/slurm-sweep.sh SWEEP.yaml}"
name="$(basename "$sweep" .yaml)"
mkdir -p Results/shards
# One database per task on shared storage: SQLite files must not be shared between machines over NFS.
exec gracesim sweep "$sweep" --shard auto --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --db "Results/shards/${name}-${SLURM_ARRAY_TASK_ID}.sqlite"
