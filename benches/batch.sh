#!/usr/bin/env bash
# Whole-process timings of `cnid batch` next to the I/O floor, side by side in one run.
#
#   benches/batch.sh [ROWS]        (default: 1000000)
#
# Steps, RUNS times each (default 7), interleaved so that a drift of the machine's speed
# touches all of them alike; each writes a new file (the last run's is removed before the
# clock starts):
#   floor      `wc -l` of the input + `cp` of the finished CSV output to a new file: what
#              reading the input and writing a file of the output's size cost
#   csv        `cnid batch` (all cores) to a CSV file
#   csv -j1    the same with --jobs 1, and  csv -j2  with --jobs 2 (the scaling)
#   jsonl      `cnid batch --format jsonl` to a file
# It prints medians, rows/s and the ratios the issue sets floors on (csv / floor, -j1 / -j2).
# Then peak RSS (/usr/bin/time) for the inputs that test the memory bound: 10,000,000 rows,
# one 100 MB row, and a gzip bomb of one endless line (about 1 GiB decompressed).
# Files go to $BENCH_DIR (default: a directory under /dev/shm when there is one, so that
# the figures are the program's and not the disk's).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
N=${1:-1000000}
if [ -z "${BENCH_DIR:-}" ]; then
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_DIR=$(mktemp -d /dev/shm/cnid-bench.XXXXXX); else BENCH_DIR=$(mktemp -d); fi
fi
DIR=$BENCH_DIR
mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

cargo build --release -p cnid-cli --quiet
CNID=$PWD/target/release/cnid
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

in="$DIR/ids-$N.txt"
"$CNID" generate --count "$N" --seed 11643 --born-from 1930-01-01 --born-to 2020-12-31 >"$in"
"$CNID" batch -i "$in" -o "$DIR/ref.csv" 2>/dev/null

# Wall seconds of one run (nanosecond clock).
wall() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    end=$(date +%s%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

floor() { wc -l "$in" >/dev/null && cp "$DIR/ref.csv" "$DIR/copy.csv"; }
steps=(floor csv "csv -j1" "csv -j2" jsonl)
declare -A t=()
for _ in $(seq "$RUNS"); do
    for step in "${steps[@]}"; do
        # Every step writes a new file: the previous run's is removed before the clock
        # starts (freeing 170 MB of page cache costs 20 ms, in no step's work).
        rm -f "$DIR/copy.csv" "$DIR/out.csv" "$DIR/out.jsonl"
        case "$step" in
            floor) s=$(wall floor) ;;
            csv) s=$(wall "$CNID" batch -i "$in" -o "$DIR/out.csv") ;;
            "csv -j1") s=$(wall "$CNID" batch --jobs 1 -i "$in" -o "$DIR/out.csv") ;;
            "csv -j2") s=$(wall "$CNID" batch --jobs 2 -i "$in" -o "$DIR/out.csv") ;;
            jsonl) s=$(wall "$CNID" batch --format jsonl -i "$in" -o "$DIR/out.jsonl") ;;
        esac
        t[$step]+="$s "
    done
done
med() { echo "${t[$1]}" | tr ' ' '\n' | grep . | median; }
f=$(med floor)
echo "cnid batch, $N rows ($(du -h "$in" | cut -f1) in, CSV out $(du -h "$DIR/ref.csv" | cut -f1)), $(nproc) cores, medians of $RUNS interleaved runs"
echo
printf '| step | median wall s | rows/s | × floor |\n|---|---:|---:|---:|\n'
for step in "${steps[@]}"; do
    w=$(med "$step")
    awk -v s="$step" -v n="$N" -v w="$w" -v f="$f" \
        'BEGIN { printf "| %s | %.3f | %.2fM | %.2f |\n", s, w, n / w / 1e6, w / f }'
done
echo
awk -v a="$(med "csv -j1")" -v b="$(med "csv -j2")" 'BEGIN { printf "--jobs 2 is %.2f× as fast as --jobs 1\n", a / b }'

# Peak resident memory of one run, MiB.
peak() {
    /usr/bin/time -f "%M" -o "$DIR/rss.txt" "$@" >/dev/null 2>"$DIR/err.txt" || true
    awk '{ printf "%.1f", $1 / 1024 }' "$DIR/rss.txt"
}
echo
echo "| input | peak RSS MiB |"
echo "|---|---:|"
big="$DIR/ids-10m.txt"
"$CNID" generate --count 10000000 --seed 11643 >"$big"
echo "| 10,000,000 rows → CSV file | $(peak "$CNID" batch -i "$big" -o "$DIR/big.csv") |"
rm -f "$big" "$DIR/big.csv"
long="$DIR/long-row.csv"
{ echo "name,idcard"; head -c 100000000 /dev/zero | tr '\0' 'x'; echo ',"110101199001011114'; echo 'b,110101199001011114'; } >"$long"
echo "| one 100 MB row (and a quote) | $(peak "$CNID" batch -i "$long" -o "$DIR/long.csv") |"
rm -f "$long"
bomb="$DIR/bomb.gz"
head -c 1073741824 /dev/zero | tr '\0' '1' | gzip -9 >"$bomb"
echo "| gzip bomb: $(du -h "$bomb" | cut -f1) → 1 GiB, one line | $(peak "$CNID" batch -i "$bomb" -o "$DIR/bomb.csv") |"
