#!/usr/bin/env bash
# Sharded trisim run with GNU parallel, then the merge. Run from the repository root:
#   examples/cluster/gnu-parallel.sh local     # N shards on this machine's cores
#   examples/cluster/gnu-parallel.sh ssh       # N shards over ssh hosts sharing a filesystem
#   examples/cluster/gnu-parallel.sh ssh-copy  # N shards over ssh hosts without a shared filesystem
#   RETRY=1 examples/cluster/gnu-parallel.sh ssh   # run only the shards that failed last time
#
# GNU parallel documentation used here (parallel(1), https://www.gnu.org/software/parallel/man.html):
# - `--jobs N` is the number of job slots on each machine (default: one per CPU thread).
# - `{}` is the input line (here the shard index); `{#}` and $PARALLEL_SEQ are the job's sequence
#   number, counted from 1: with the input 0 .. N-1 in order, PARALLEL_SEQ = index + 1, which is
#   what `--shard auto/N` expects (I = PARALLEL_SEQ - 1).
# - `--sshloginfile FILE`: one sshlogin per line, optionally "K/host" for K job slots on that
#   host; `:` stands for the local machine.
# - `--workdir DIR`: where jobs run on remote computers (default: the login directory).
# - `--basefile FILE`: copied (rsync) to each host before its first job; `--return FILE`: copied
#   back (rsync -rlDzR, so a folder works) after each job; `--cleanup`: removes both remotely.
# - `--joblog FILE` records every job with its exit status; `--resume-failed` re-runs the failed
#   ones (and any not yet run) with the same sequence numbers, if input and command are unchanged.
# - `--halt never` (the default) runs every job even if some fail; the exit status is the number
#   of failed jobs, so the merge below is skipped when any shard failed.
set -euo pipefail

# --- settings ------------------------------------------------------------------------------------
SCENARIO="${SCENARIO:-scenarios/baseline.toml}"
N="${N:-8}"                             # shards; >= total job slots, <= replications / 256
SEED="${SEED:-}"                        # empty: the scenario's own seed
REPLICATIONS="${REPLICATIONS:-}"        # empty: the scenario's own replications
OUT="${OUT:-results/cluster/baseline}"  # shards in $OUT/shards/, merged results in $OUT/merged/
TRISIM="${TRISIM:-target/release/trisim}"
COMMAND="${COMMAND:-run}"               # run, or sweep
THREADS="${THREADS:-1}"                 # local: threads per shard (JOBS x THREADS <= cores)
JOBS="${JOBS:-$(nproc)}"                # local: shards at once
SSHLOGINFILE="${SSHLOGINFILE:-nodes.txt}" # ssh modes: one host per line
REMOTE_DIR="${REMOTE_DIR:-trisim-work}" # ssh-copy: working folder under the remote login dir
RETRY="${RETRY:-}"                      # 1: re-run only the shards that failed (needs the joblog)
# ---------------------------------------------------------------------------------------------------

mode="${1:-local}"
extra=()
[[ -n "$SEED" ]] && extra+=(--seed "$SEED")
[[ -n "$REPLICATIONS" ]] && extra+=(-n "$REPLICATIONS")

if [[ -e "$OUT/merged" ]]; then
    echo "error: $OUT/merged already exists; choose another OUT or move the earlier results away" >&2
    exit 2
fi
mkdir -p "$OUT/shards"
joblog="$OUT/parallel-$mode.joblog"
resume=()
[[ -n "$RETRY" ]] && resume=(--resume-failed)

# Shard indexes 0 .. N-1, zero-padded so that the folders sort in index order.
indexes() { seq -f '%05g' 0 $((N - 1)); }

case "$mode" in
local)
    # One machine. Sharding here is a dry run of the cluster flow (a plain `trisim run
    # --threads T` is as fast): JOBS shards at once with THREADS threads each.
    # --quote passes every word to trisim as it is (paths with spaces are safe).
    indexes | parallel --jobs "$JOBS" --joblog "$joblog" "${resume[@]}" --quote \
        "$TRISIM" "$COMMAND" "$SCENARIO" --shard "auto/$N" --threads "$THREADS" \
        --out "$OUT/shards/{}" "${extra[@]}"
    ;;
ssh)
    # Hosts that see this folder at the same path (NFS home or project space) and the same
    # trisim binary ($TRISIM as an absolute path, or relative to this folder).
    # One shard at a time per host, using all of its cores (trisim's default --threads);
    # N larger than the number of hosts lets fast hosts take more shards.
    indexes | parallel --sshloginfile "$SSHLOGINFILE" --jobs 1 --workdir "$PWD" \
        --joblog "$joblog" "${resume[@]}" --quote \
        "$TRISIM" "$COMMAND" "$SCENARIO" --shard "auto/$N" --out "$OUT/shards/{}" "${extra[@]}"
    ;;
ssh-copy)
    # Hosts with nothing shared: the binary and the top folder of SCENARIO (all of scenarios/,
    # since an `extends` chain needs its parent files too) are copied to ~/$REMOTE_DIR on each
    # host before its first job, each shard folder is
    # copied back to $OUT/shards/ here, and the remote copies are removed. The paths of
    # TRISIM, SCENARIO and OUT must be relative (to this folder) for that.
    for p in "$TRISIM" "$SCENARIO" "$OUT"; do
        if [[ "$p" == /* ]]; then
            echo "error: ssh-copy needs relative paths; '$p' is absolute" >&2
            exit 2
        fi
    done
    # The remote hosts must run the very binary built here (same CPU architecture, and a
    # glibc at least as new): every shard must come from the same build (see README).
    indexes | parallel --sshloginfile "$SSHLOGINFILE" --jobs 1 --workdir "$REMOTE_DIR" \
        --basefile "$TRISIM" --basefile "${SCENARIO%%/*}" \
        --return "$OUT/shards/{}" --cleanup \
        --joblog "$joblog" "${resume[@]}" \
        mkdir -p "$OUT/shards" '&&' \
        "./$TRISIM" "$COMMAND" "$SCENARIO" --shard "auto/$N" --out "$OUT/shards/{}" "${extra[@]}"
    ;;
*)
    echo "usage: $0 local|ssh|ssh-copy" >&2
    exit 2
    ;;
esac

# Every shard succeeded (otherwise parallel exited non-zero and `set -e` stopped here):
# merge checks that the shards belong together and writes the results.
"$TRISIM" merge "$OUT"/shards/* --out "$OUT/merged"
echo "merged results in $OUT/merged"
