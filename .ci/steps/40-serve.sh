#!/usr/bin/env bash
# `cnid serve` answers the seed's own request forms with curl, as existing clients send them:
# the documented GET query, the PHP example's POST form, the Python example's urlencoded GET,
# plus XML and JSONP; then the seed's PHP, Python and Java examples themselves and a JSONP
# browser client (node), with only the base URL changed. Loopback only. Skips (and says so)
# without curl; each client without its interpreter.
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

# The provider's own example clients, unchanged but for the base URL (cli/tests/serve_clients).
clients=cli/tests/serve_clients
export CNID_URL="${base%/}"
if ! command -v php >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && apt-get install -y -qq php-cli; } >/dev/null 2>&1 || true
fi
if command -v php >/dev/null 2>&1; then
    out=$(php "$clients/seed.php")
    check "PHP client (seed)" "[status] => ALREADY_ATT|[idcard] => 110101199001011114|[att] => 北京市 东城区 " \
        "$(echo "$out" | grep -E '\[(status|idcard|att)\]' | sed 's/^ *//' | paste -sd'|')"
    out=$(CNID_IDCARD=110101199001011112 php "$clients/seed.php")
    check "PHP client, wrong number" "[status] => WRONG_IDCARD" "$(echo "$out" | grep -o '\[status\] => [A-Z_]*')"
else
    echo "serve: PHP client skipped (no php)"
fi
check "Python client (seed)" "{'status': 'ALREADY_ATT', 'idcard': '110101199001011114', 'par': '110101', 'born': '1990年01月01日', 'sex': '男', 'att': '北京市 东城区 ', 'postno': '100000', 'areano': '010', 'style_simcall': '中国,北京', 'style_citynm': '中华人民共和国,北京市'}" \
    "$(python3 "$clients/seed.py")"
if command -v java >/dev/null 2>&1; then
    check "Java client (seed)" "$expected" "$(java "$clients/test.java")"
else
    echo "serve: Java client skipped (no java)"
fi
if command -v node >/dev/null 2>&1 && node -e 'process.exit(typeof fetch === "function" ? 0 : 1)'; then
    check "browser JSONP and fetch (node)" \
        "jsonp application/javascript; charset=utf-8 1 ALREADY_ATT 110101199001011114|fetch * 1 ALREADY_ATT 北京市 东城区 " \
        "$(node "$clients/jsonp.mjs" | paste -sd'|')"
else
    echo "serve: node client skipped (no node with fetch)"
fi

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
check "SIGTERM exit" 0 "$code"
if grep -q 110101199001011114 "$tmp/err"; then
    echo "serve: the log holds a full number" >&2
    fail=1
fi
exit "$fail"
