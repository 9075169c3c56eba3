#!/usr/bin/env bash
# Whole-process timings of `cnid batch` next to the disk-read floor, in one run.
#
#   benches/batch.sh [ROWS ...]        (default: 1000000 10000000)
#
# For each size it generates a file of synthetic numbers (`cnid generate`, fixed seed), then
# times, RUNS times each and interleaved: `wc -l` and `cat` of the input (the read floor),
# `cnid batch` to CSV and to JSON lines (output to a file), and `cat` of each output to
# /dev/null (the size of what batch wrote). It prints medians, the ratio to the floor, and
# peak RSS (from /usr/bin/time). Files go to $BENCH_DIR (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 10000000)
DIR=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$DIR"

cargo build --release -p cnid-cli --quiet
CNID=target/release/cnid

# wall seconds (nanosecond clock) and peak KiB (/usr/bin/time) of one run: "S KIB"
measure() {
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$DIR/time.txt" "$@" >/dev/null 2>"$DIR/stderr.txt" || {
        cat "$DIR/stderr.txt" >&2
        exit 1
    }
    end=$(date +%s%N)
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $(cat "$DIR/time.txt")"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '| rows | input | step | median wall s | rows/s | × wc -l of input | × cat of its output | peak RSS MiB |\n'
printf '|---:|---:|---|---:|---:|---:|---:|---:|\n'
for n in "${SIZES[@]}"; do
    in="$DIR/ids-$n.txt"
    [ -s "$in" ] || "$CNID" generate --count "$n" --seed 11643 --born-from 1930-01-01 --born-to 2020-12-31 >"$in"
    size=$(du -h "$in" | cut -f1)
    declare -A wall=() rss=()
    steps=("wc -l" "cat input" "batch csv" "cat csv output" "batch jsonl" "cat jsonl output")
    for _ in $(seq "$RUNS"); do
        for step in "${steps[@]}"; do
            case "$step" in
                "wc -l") r=$(measure wc -l "$in") ;;
                "cat input") r=$(measure sh -c 'exec cat "$0" >/dev/null' "$in") ;;
                "batch csv") r=$(measure "$CNID" batch -i "$in" -o "$DIR/out.csv") ;;
                "cat csv output") r=$(measure sh -c 'exec cat "$0" >/dev/null' "$DIR/out.csv") ;;
                "batch jsonl") r=$(measure "$CNID" batch --format jsonl -i "$in" -o "$DIR/out.jsonl") ;;
                "cat jsonl output") r=$(measure sh -c 'exec cat "$0" >/dev/null' "$DIR/out.jsonl") ;;
            esac
            wall[$step]+="${r% *} "
            rss[$step]+="${r#* } "
        done
    done
    med() { echo "${wall[$1]}" | tr ' ' '\n' | grep . | median; }
    floor=$(med "wc -l")
    for step in "${steps[@]}"; do
        w=$(med "$step")
        m=$(echo "${rss[$step]}" | tr ' ' '\n' | grep . | sort -g | tail -1)
        rate=$(awk -v n="$n" -v w="$w" 'BEGIN { if (w > 0) printf "%.2fM", n / w / 1e6; else print "-" }')
        ratio=$(awk -v w="$w" -v f="$floor" 'BEGIN { if (f > 0) printf "%.1f", w / f; else print "-" }')
        out_ratio="-"
        case "$step" in
            "batch csv") out_ratio=$(awk -v w="$w" -v f="$(med "cat csv output")" 'BEGIN { printf "%.1f", w / f }') ;;
            "batch jsonl") out_ratio=$(awk -v w="$w" -v f="$(med "cat jsonl output")" 'BEGIN { printf "%.1f", w / f }') ;;
        esac
        printf '| %s | %s | %s | %s | %s | %s | %s | %.1f |\n' "$n" "$size" "$step" "$w" "$rate" "$ratio" "$out_ratio" "$(echo "$m / 1024" | bc -l)"
    done
    unset wall rss
done
echo
echo "files in $DIR (delete when done)"
