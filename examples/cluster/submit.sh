#!/usr/bin/env bash
# Submits a sharded trisim run to Slurm: a job array of N shard tasks (slurm.sh), then the merge
# job (slurm-merge.sh), which starts only once every task has succeeded.
# Run from the repository root (or wherever SCENARIO and OUT are relative to):
#   examples/cluster/submit.sh
#   N=64 SEED=7 REPLICATIONS=1000000 OUT=results/cluster/big examples/cluster/submit.sh
#   ONLY=5,9 examples/cluster/submit.sh    # re-run only shards 5 and 9, then merge again
#
# Slurm documentation used here (sbatch(1), https://slurm.schedmd.com/job_array.html):
# - `--parsable` prints only "jobid" (or "jobid;cluster"), for use in the next submission.
# - `--array=0-$((N-1))` on the command line overrides the #SBATCH --array line of slurm.sh;
#   `--array=5,9` runs only those indexes; a `%K` suffix limits running tasks to K.
# - `--dependency=afterok:<array job id>` waits for all tasks of that array to succeed.
# - `--kill-on-invalid-dep=yes` cancels the merge if a shard fails, instead of leaving it pending.
# - `--output` patterns: %A = array master job id, %a = array index, %j = job id.
# - `--export=ALL` (the default, spelt out) passes the variables below to both jobs.
set -euo pipefail

# --- settings ----------------------------------------------------------------------------------
SCENARIO="${SCENARIO:-scenarios/baseline.toml}"
N="${N:-16}"                           # shards; >= workers you want busy, <= replications / 256
SEED="${SEED:-}"                       # empty: the scenario's own seed
REPLICATIONS="${REPLICATIONS:-}"       # empty: the scenario's own replications
OUT="${OUT:-results/cluster/baseline}" # shards in $OUT/shards/, merged results in $OUT/merged/
TRISIM="${TRISIM:-trisim}"             # the same binary on every node (see README: determinism)
COMMAND="${COMMAND:-run}"              # run, or sweep
ONLY="${ONLY:-}"                       # e.g. "5,9": re-run only these indexes
MAX_RUNNING="${MAX_RUNNING:-}"         # e.g. 8: at most 8 shard tasks at once
# ------------------------------------------------------------------------------------------------

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! [[ "$N" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: N must be a positive whole number, not '$N'" >&2
    exit 2
fi
if [[ -e "$OUT/merged" ]]; then
    echo "error: $OUT/merged already exists; choose another OUT or move the earlier results away" >&2
    exit 2
fi

array="${ONLY:-0-$((N - 1))}"
[[ -n "$MAX_RUNNING" ]] && array+="%$MAX_RUNNING"

# Slurm does not create the folders of --output; the shard folders are created by trisim.
mkdir -p "$OUT/logs"
export SCENARIO N SEED REPLICATIONS OUT TRISIM COMMAND

array_job=$(sbatch --parsable --export=ALL \
    --array="$array" \
    --output="$OUT/logs/shard-%A_%a.out" \
    "$here/slurm.sh")
array_job="${array_job%%;*}" # drop ";cluster" if present

merge_job=$(sbatch --parsable --export=ALL \
    --dependency="afterok:$array_job" --kill-on-invalid-dep=yes \
    --output="$OUT/logs/merge-%j.out" \
    "$here/slurm-merge.sh")
merge_job="${merge_job%%;*}"

echo "shards: job array $array_job (indexes $array of 0-$((N - 1))), logs in $OUT/logs/"
echo "merge:  job $merge_job, after all shards succeed -> $OUT/merged"
echo "watch:  squeue -j $array_job,$merge_job    failed tasks: sacct -j $array_job --state=FAILED,TIMEOUT,OUT_OF_MEMORY,NODE_FAIL"
