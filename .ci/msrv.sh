#!/usr/bin/env bash
# The declared rust-version of every crate is true: each crate, with all its targets
# (tests, benches, examples) and features, builds with exactly that toolchain (installed by
# rustup when missing; a separate target folder, so the main build cache stays). Without
# rustup it says so and skips.
set -euo pipefail
cd "$(dirname "$0")/.."
for manifest in Cargo.toml cli/Cargo.toml; do
    pkg=$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1)
    ver=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$manifest" | head -n1)
    if [ -z "$ver" ]; then
        echo "ci: $pkg declares no rust-version" >&2
        exit 1
    fi
    # "1.85" means 1.85.0, the oldest compiler it admits.
    case "$ver" in *.*.*) ;; *) ver="$ver.0" ;; esac
    if ! command -v rustup >/dev/null 2>&1 \
        || ! rustup toolchain install "$ver" --profile minimal >/dev/null 2>&1; then
        echo "ci: rust-version check of $pkg skipped: toolchain $ver cannot be installed"
        continue
    fi
    echo "ci: $pkg with Rust $ver"
    CARGO_TARGET_DIR=target/msrv cargo "+$ver" check --locked -p "$pkg" --all-targets --all-features --quiet
done
