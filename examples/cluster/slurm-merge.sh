#!/usr/bin/env bash
# Merge step of a sharded trisim run on Slurm: one small job, queued by submit.sh with
#   sbatch --dependency=afterok:<array job id> --kill-on-invalid-dep=yes slurm-merge.sh
#
# Slurm documentation used here (sbatch(1) --dependency, https://slurm.schedmd.com/job_array.html):
# - `afterok:<job_id>` starts this job only after the given job has ended successfully; given
#   the id of a job array, it waits for every task of the array, and one failed task makes the
#   dependency impossible to satisfy.
# - `--kill-on-invalid-dep=yes` then cancels this job instead of leaving it pending forever
#   (reason DependencyNeverSatisfied). Re-run the failed index, then submit this script again.
#
#SBATCH --job-name=trisim-merge
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=1G
#SBATCH --time=00:30:00
#SBATCH --output=trisim-merge-%j.out

set -euo pipefail

# --- settings (must be the values the shards were run with; submit.sh exports them) ----------
N="${N:-16}"                           # number of shards
OUT="${OUT:-results/cluster/baseline}" # shards are read from $OUT/shards/, results go to $OUT/merged
TRISIM="${TRISIM:-trisim}"
# ----------------------------------------------------------------------------------------------

shopt -s nullglob
shards=("$OUT"/shards/*)
shopt -u nullglob
if ((${#shards[@]} != N)); then
    # trisim merge would refuse too (it checks for gaps); this only says it earlier and plainly.
    echo "error: expected $N shard folders in $OUT/shards, found ${#shards[@]}; re-run the missing indexes first" >&2
    exit 1
fi

# merge checks that the shards belong together (scenario hash, seed, replications, N; no gaps,
# no duplicates) and writes results byte-identical to an unsharded run. It refuses to write
# into a non-empty $OUT/merged, so an earlier merge is never overwritten.
exec "$TRISIM" merge "${shards[@]}" --out "$OUT/merged"
