#!/usr/bin/env bash
# Builds cnid for wasm32-unknown-unknown (a browser: no system clock) and runs check.js in
# Node.js. Needs the wasm32-unknown-unknown target (rustup) and node.
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --quiet --target wasm32-unknown-unknown
node check.js target/wasm32-unknown-unknown/release/cnid_wasm_check.wasm
