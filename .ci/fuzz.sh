#!/usr/bin/env bash
# Runs each fuzz target of fuzz/ for $1 seconds (default 20) from the committed seeds
# (fuzz/seeds/<target>) plus what earlier runs found (fuzz/corpus/<target>, not committed).
# Installs cargo-fuzz and a nightly toolchain when missing; says so and skips when they
# cannot be had. A crash fails the run and leaves its input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
if [ "$seconds" = 0 ]; then
    echo "ci: fuzzing skipped (0 s asked)"
    exit 0
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "ci: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet || true
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "ci: fuzzing skipped: cargo-fuzz could not be installed"
    exit 0
fi
# libFuzzer with AddressSanitizer needs nightly; RUSTC_BOOTSTRAP on stable is the fallback.
run=(cargo +nightly fuzz)
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal >/dev/null 2>&1 || true
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "ci: no nightly toolchain: fuzzing with stable and RUSTC_BOOTSTRAP=1"
    export RUSTC_BOOTSTRAP=1
    run=(cargo fuzz)
fi
targets=$(cd fuzz && "${run[@]}" list)
"${run[@]}" build --fuzz-dir fuzz
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in $targets; do
    mkdir -p "fuzz/corpus/$t"
    echo "ci: fuzz $t for $seconds s"
    if ! "${run[@]}" run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "ci: fuzz target $t failed; the input is in fuzz/artifacts/$t/" >&2
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
done
