#!/usr/bin/env bash
# Builds the npm package (pkg/: WebAssembly + wasm-bindgen glue) and the single-file page
# (dist/cnid.html). Needs the wasm32-unknown-unknown target, wasm-bindgen-cli 0.2.130 and
# node. Prints the package's sizes.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
cargo build --quiet -p cnid-web --profile wasm --target wasm32-unknown-unknown --manifest-path "$root/Cargo.toml"
target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
rm -rf pkg dist
wasm-bindgen --target web --out-dir pkg "$target_dir/wasm32-unknown-unknown/wasm/cnid_web.wasm"
# No wasm-opt: Debian 12's binaryen (108) breaks wasm-bindgen's externref table, for 1 %.
mkdir -p dist
node tools/bundle.mjs page.html pkg dist/cnid.html
node tools/sizes.mjs
