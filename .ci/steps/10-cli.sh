#!/usr/bin/env bash
# The command line as a user gets it (issue 10): `cargo install --path cli` gives a working
# `cnid`, and `cnid batch` reads CSV exactly as Python's csv module does, over more generated
# files than the test suite's default.
set -euo pipefail
cd "$(dirname "$0")/../.."

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# A debug install reuses the test build's artifacts: this checks that the package installs
# and runs, not how fast it is.
cargo install --quiet --locked --debug --path cli --root "$root" --target-dir target
out=$("$root/bin/cnid" lookup --today 2026-11-29 110101199001011114)
case "$out" in
    *'"status":"ALREADY_ATT"'*) echo "ci: cargo install --path cli: cnid lookup works" ;;
    *) echo "ci: installed cnid answered: $out" >&2; exit 1 ;;
esac
"$root/bin/cnid" man >/dev/null
"$root/bin/cnid" completions bash >/dev/null

if command -v python3 >/dev/null 2>&1; then
    PROPTEST_CASES=${PROPTEST_CASES:-150} cargo test --quiet -p cnid-cli --test cli_batch_props
else
    echo "ci: python3 not found: the CSV property test against Python's csv is skipped"
fi
