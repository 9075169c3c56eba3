#!/usr/bin/env bash
# `cnid serve` answers the seed's own request forms with curl, as existing clients send them:
# the documented GET query, the PHP example's POST form, the Python example's urlencoded GET,
# plus XML and JSONP. Loopback only. Skips (and says so) without curl.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v curl >/dev/null 2>&1; then
    echo "ci: serve curl check skipped (no curl)"
    exit 0
fi
cargo build --quiet -p cnid-cli
cnid=target/debug/cnid
tmp=$(mktemp -d)
"$cnid" serve --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 100); do
    grep -q "listening on" "$tmp/out" 2>/dev/null && break
    sleep 0.05
done
base=$(sed -n 's/^cnid serve: listening on \(http:\/\/127\.0\.0\.1:[0-9]*\/\)$/\1/p' "$tmp/out")
[ -n "$base" ] || { echo "serve: no listening line" >&2; cat "$tmp/err" >&2; exit 1; }
fail=0
check() { # name expected actual
    if [ "$2" != "$3" ]; then
        echo "serve: $1: expected $2" >&2
        echo "serve: $1:      got $3" >&2
        fail=1
    else
        echo "serve: $1: ok"
    fi
}
c() { curl --noproxy '*' -sS --max-time 10 "$@"; }
expected=$("$cnid" lookup 110101199001011114)
expected_xml=$("$cnid" lookup --format xml 110101199001011114)

# The seed's curl line, with the base URL changed.
check "seed GET" "$expected" \
    "$(c "${base}?app=idcard.get&idcard=110101199001011114&appkey=10003&sign=b59bc3ef6191eb9f747dd4e83c99f2a4&format=json")"
# The PHP example: POST, application/x-www-form-urlencoded, http_build_query order.
check "PHP POST form" "$expected" \
    "$(c -X POST -H 'Content-type:application/x-www-form-urlencoded' \
        --data 'app=idcard.get&idcard=110101199001011114&appkey=10003&sign=b59bc3ef6191eb9f747dd4e83c99f2a4&format=json' "$base")"
# The Python example: urlencode of a dict, any key order, on the bare host.
check "Python GET" "$expected" \
    "$(c "${base%/}?format=json&sign=SIGN&appkey=APPKEY&idcard=110101199001011114&app=idcard.get")"
check "curl --data-urlencode" "$expected" \
    "$(c -G --data-urlencode app=idcard.get --data-urlencode idcard=110101199001011114 "$base")"
check "XML" "$expected_xml" "$(c "${base}?app=idcard.get&idcard=110101199001011114&format=xml")"
check "JSONP" "cb($expected)" "$(c "${base}?app=idcard.get&idcard=110101199001011114&jsoncallback=cb")"
check "unknown app" '{"success":"0","msgid":"1000501","msg":"请求接口不存在"}' "$(c "${base}?app=phone.get")"
headers=$(c -D - -o /dev/null "${base}?app=idcard.get&idcard=110101199001011114" | tr -d '\r')
check "status" "HTTP/1.1 200 OK" "$(echo "$headers" | head -1)"
check "content type" "Content-Type: application/json; charset=utf-8" "$(echo "$headers" | grep -i '^content-type:')"
check "CORS" "Access-Control-Allow-Origin: *" "$(echo "$headers" | grep -i '^access-control-allow-origin:')"
check "length" "Content-Length: $(printf %s "$expected" | wc -c)" "$(echo "$headers" | grep -i '^content-length:')"
check "healthz" "ok" "$(c "${base}healthz")"

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
check "SIGTERM exit" 0 "$code"
if grep -q 110101199001011114 "$tmp/err"; then
    echo "serve: the log holds a full number" >&2
    fail=1
fi
exit "$fail"
