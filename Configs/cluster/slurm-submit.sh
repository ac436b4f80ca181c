#!/usr/bin/env bash
# Runs a sweep too big for one machine on Slurm: a job array of N shards (slurm-sweep.sh), then one merge job
# (merge-shards.sh) that starts when every task has ended, finished or not (afterany), merges the shards that
# exist and names the ones that are missing or did not finish.
#
#   Configs/cluster/slurm-submit.sh Configs/sweeps/c1-strategy-rate.yaml 16         # the whole grid, 16 shards
#   Configs/cluster/slurm-submit.sh Configs/sweeps/c1-strategy-rate.yaml 16 7,9     # only tasks 7 and 9 again
#
# Run it from the folder the results belong in (the repository, or any folder on shared storage): it creates
# Results/shards/NAME/ there before submitting (Slurm opens each task's log before the task starts, and does not
# create its folder). Task i writes Results/shards/NAME/NAME-i.sqlite and its log slurm-JOB_i.log beside it;
# the merge writes Results/NAME.sqlite. A resubmitted task runs only its own shard (--shard i/N) and skips the
# points its database already holds; the merge after it can be repeated safely. `gracesim` must be on PATH on the
# compute nodes (or GRACESIM=/path/to/gracesim in the environment, which sbatch passes on).
set -euo pipefail
usage="usage: slurm-submit.sh SWEEP.yaml SHARDS [TASKS, e.g. 7,9 or 3-5; default 0-(SHARDS-1)]"
sweep="${1:?$usage}"
shards="${2:?$usage}"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "slurm-submit.sh: SHARDS: expected a positive integer, found \"$shards\"" >&2; exit 2; }
[[ -f "$sweep" ]] || { echo "slurm-submit.sh: $sweep: no such sweep file" >&2; exit 2; }
tasks="${3:-0-$((shards - 1))}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="$(basename "$sweep" .yaml)"
shard_dir="Results/shards/$name"
mkdir -p "$shard_dir"

array="$(sbatch --parsable --job-name="gracesim-$name" --array="$tasks" --output="$shard_dir/slurm-%A_%a.log" \
    "$here/slurm-sweep.sh" "$sweep" "$shards")"
array="${array%%;*}"   # --parsable prints "jobid" or "jobid;cluster"
merge="$(sbatch --parsable --job-name="gracesim-$name-merge" --dependency="afterany:$array" \
    --output="$shard_dir/slurm-merge-%j.log" "$here/merge-shards.sh" "$sweep" "$shards")"
echo "submitted job array $array (tasks $tasks of $shards shards) and merge job ${merge%%;*} into Results/$name.sqlite"
