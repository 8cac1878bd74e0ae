#!/usr/bin/env bash
# One shard of a sharded trisim run, as one task of a Slurm job array.
# Submit with submit.sh (which also queues the merge), or by hand from the repository root:
#   sbatch --array=0-15 examples/cluster/slurm.sh
#
# Slurm documentation used here (https://slurm.schedmd.com/job_array.html, sbatch(1)):
# - `--array=0-15` makes one task per index; each task gets SLURM_ARRAY_TASK_ID = its index.
#   The minimum index is 0 and the maximum is MaxArraySize - 1 (slurm.conf), which also caps N.
#   `--array=0-15%4` would run at most 4 tasks at once.
# - `%A` (array master job id) and `%a` (array index) in `--output` give one log per task.
# - #SBATCH lines are read by Slurm before the shell runs, so they cannot use shell variables;
#   the array range below is only a default: options given to `sbatch` on its command line
#   (as submit.sh does with --array=0-$((N-1))) take precedence over #SBATCH lines.
# - By default sbatch exports the submitting shell's environment (--export=ALL), which is how
#   submit.sh passes SCENARIO, N, SEED, OUT, ... to this script.
#
#SBATCH --job-name=trisim-shard
#SBATCH --array=0-15
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=8
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=trisim-shard-%A_%a.out

set -euo pipefail

# --- settings (the environment overrides them; submit.sh sets them all) ---------------------
SCENARIO="${SCENARIO:-scenarios/baseline.toml}" # relative to the submission directory
N="${N:-16}"                                    # number of shards = size of the array
SEED="${SEED:-}"                                # empty: the scenario's own seed
REPLICATIONS="${REPLICATIONS:-}"                # empty: the scenario's own replications
OUT="${OUT:-results/cluster/baseline}"          # shards go to $OUT/shards/<index>
TRISIM="${TRISIM:-trisim}"                      # path of the trisim binary
COMMAND="${COMMAND:-run}"                       # run, or sweep for a sharded sweep
# ----------------------------------------------------------------------------------------------

if [[ -z "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    echo "error: SLURM_ARRAY_TASK_ID is not set: submit this script as a job array (sbatch --array=0-$((N - 1)) $0)" >&2
    exit 2
fi

extra=()
[[ -n "$SEED" ]] && extra+=(--seed "$SEED")
[[ -n "$REPLICATIONS" ]] && extra+=(-n "$REPLICATIONS")
# Use the CPUs Slurm gave this task (set when --cpus-per-task is given); without it, trisim
# uses every core it can see, which on a shared node may be more than the allocation.
[[ -n "${SLURM_CPUS_PER_TASK:-}" ]] && extra+=(--threads "$SLURM_CPUS_PER_TASK")

# Zero-padded folder names keep `$OUT/shards/*` in index order.
printf -v shard_dir '%s/shards/%05d' "$OUT" "$SLURM_ARRAY_TASK_ID"
mkdir -p "$OUT/shards"

echo "trisim shard ${SLURM_ARRAY_TASK_ID}/${N} (job ${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID}) on $(hostname) -> ${shard_dir}"
# `--shard auto/N` takes the index from SLURM_ARRAY_TASK_ID (and refuses to run if another
# scheduler's index variable is also set and disagrees). The result folder is written under a
# temporary name and renamed when complete: a failed or killed task leaves no shard folder.
exec "$TRISIM" "$COMMAND" "$SCENARIO" --shard "auto/$N" --out "$shard_dir" "${extra[@]}"
