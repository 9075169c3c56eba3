#!/usr/bin/env bash
# The web package (web/): builds the WebAssembly, the npm package and the single-file page,
# checks the package size (≤ 300 KB gzipped), then tests it in Node.js and in a real
# headless Chromium (no request may leave the page). Installs what a fresh machine lacks:
# the wasm32 target (rustup), wasm-bindgen-cli of the exact crate version (cargo install),
# chromium (apt-get), puppeteer-core and typescript (npm ci, no browser download).
# A tool that cannot be had is named, and that part is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."

WASM_BINDGEN=0.2.130
say() { echo "ci/web: $*"; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "SKIPPED: node and npm are not installed; the web package was not built or tested"
    exit 0
fi
if ! rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    say "SKIPPED: cannot install the wasm32-unknown-unknown target with rustup"
    exit 0
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN (cargo install, a few minutes on a fresh machine)"
    if ! cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN"; then
        say "SKIPPED: cannot install wasm-bindgen-cli $WASM_BINDGEN"
        exit 0
    fi
fi

# Native unit tests of the exports, and the library without wire-fragments (the web
# build's table puts att together at lookup).
cargo test --quiet -p cnid-web
cargo test --quiet -p cnid --no-default-features --features std --test table --test resolve --test wire --test document

web/build.sh

(cd web && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
node web/test/node.mjs
(cd web && npx --no-install tsc -p tsconfig.json)
say "TypeScript types: ok"

chromium=""
for c in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$c" ] && [ -x "$c" ]; then chromium=$c; break; fi
done
if [ -z "$chromium" ]; then
    say "installing chromium (apt-get)"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
    if $sudo_cmd apt-get update -qq >/dev/null 2>&1 \
        && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null 2>&1; then
        chromium=/usr/bin/chromium
    else
        say "SKIPPED the browser test: cannot install chromium with apt-get"
        exit 0
    fi
fi
CHROMIUM=$chromium node web/test/browser.mjs
