#!/usr/bin/env bash
# Load benchmark of `cnid serve` on loopback, bounded in time (about 45 s):
#   1. wrk, keep-alive, a mix of valid, wrong and unknown-region numbers in JSON, XML and
#      JSONP: requests/s, p50/p99 latency, errors (socket errors and non-2xx answers);
#   2. 10,000 malformed requests and CONNECTIONS slow clients, CONNECTIONS at a time
#      (benches/serve_flood.py), twice; then
#      the seed's request must be answered exactly and the RSS stay within 10 % of before.
# Usage: benches/serve.sh [SECONDS] [CONNECTIONS]    (defaults 10, 16)
# Needs wrk (apt-get install wrk) and python3. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16}
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: needs python3" >&2; exit 2; }
cargo build --release --quiet -p cnid-cli
cnid=target/release/cnid
tmp=$(mktemp -d)

# The request mix: 100 numbers, 10 of them wrong and 5 of an unknown region.
"$cnid" generate --count 85 --seed 11 --born-to 2020-12-31 >"$tmp/ids"
"$cnid" generate --count 5 --seed 12 --region 119999 --any-region --born-to 2020-12-31 >>"$tmp/ids"
"$cnid" generate --count 10 --seed 13 --born-to 2020-12-31 | sed 's/.$/0/; s/00$/01/' >>"$tmp/ids"
{
    echo 'local paths = {'
    n=0
    while read -r id; do
        n=$((n + 1))
        case $((n % 10)) in
            0) echo "  \"/?app=idcard.get&idcard=$id&appkey=k&sign=s&format=xml\"," ;;
            5) echo "  \"/?app=idcard.get&idcard=$id&appkey=k&sign=s&format=json&jsoncallback=jQuery1_2&_=1\"," ;;
            *) echo "  \"/?app=idcard.get&idcard=$id&appkey=k&sign=s&format=json\"," ;;
        esac
    done <"$tmp/ids"
    echo '}'
    cat <<'LUA'
local reqs = {}
for i, p in ipairs(paths) do reqs[i] = wrk.format("GET", p) end
local i = 0
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
LUA
} >"$tmp/mix.lua"

"$cnid" serve --listen 127.0.0.1:0 --read-timeout 2 --idle-timeout 5 >"$tmp/out" 2>"$tmp/log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.05; done
base=$(sed -n 's/^cnid serve: listening on \(http:[^ ]*\)$/\1/p' "$tmp/out")
addr=${base#http://}; addr=${addr%/}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
rss_start=$(rss)

# Warm-up with as many connections open at once as the flood will have (its workers and
# its slow clients): thread stacks and allocator arenas grow with the most connections open
# at once, not with requests, so the comparison after the flood shows leaks, not a peak.
wrk -t1 -c"$((2 * conns))" -d2s -s "$tmp/mix.lua" "$base" >/dev/null
rss_warm=$(rss)
echo "== load: wrk -t1 -c$conns -d${secs}s, keep-alive, mixed numbers, request log on (to a file)"
wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$tmp/mix.lua" "$base" | tee "$tmp/wrk"
rps=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk")
p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk")
p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk")
errors=$(awk '/Socket errors/ {gsub(",", ""); s = $4 + $6 + $8 + $10} /Non-2xx/ {n = $5} END {print s + n + 0}' "$tmp/wrk")
rss_before=$(rss)

echo "== malformed flood"
flood=0
python3 benches/serve_flood.py "$addr" 10000 "$conns" "$conns" || flood=1
sleep 1
rss_after=$(rss)
echo "== the same flood again (memory must not keep growing)"
python3 benches/serve_flood.py "$addr" 10000 "$conns" "$conns" >/dev/null || flood=1
sleep 1
rss_again=$(rss)
lines=$(wc -l <"$tmp/log")
masked_ok=yes
grep -qE '[0-9]{17}[0-9X]' "$tmp/log" && masked_ok=no

echo "== summary"
echo "requests/s: $rps  p50: $p50  p99: $p99  errors: $errors"
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f %%", (a - b) * 100 / b}'; }
echo "RSS KiB: start $rss_start, after warm-up $rss_warm, after load $rss_before, after flood $rss_after ($(pct "$rss_after" "$rss_before")), after a second flood $rss_again ($(pct "$rss_again" "$rss_before"))"
echo "log lines: $lines, full numbers in the log: $([ $masked_ok = yes ] && echo none || echo FOUND)"
echo "answers correctly after the flood: $([ $flood = 0 ] && echo yes || echo NO)"
# The issue's floors: ≥ 50,000 requests/s, p99 < 5 ms, no error, correct after the flood,
# RSS within 10 % of before it.
p99_ms=$(echo "$p99" | awk '/us$/ {print $1 / 1000; next} /ms$/ {print $1 + 0; next} /s$/ {print $1 * 1000}')
verdict() { if [ "$1" = 1 ]; then echo met; else echo "NOT met"; fi; }
echo "floor requests/s >= 50000: $(verdict "$(awk -v r="$rps" 'BEGIN {print (r >= 50000)}')")"
echo "floor p99 < 5 ms: $(verdict "$(awk -v p="$p99_ms" 'BEGIN {print (p < 5)}')")"
echo "floor zero errors: $(verdict "$([ "$errors" = 0 ] && echo 1)")"
echo "floor RSS within 10 %: $(verdict "$(awk -v a="$rss_after" -v b="$rss_before" 'BEGIN {print (a <= b * 1.1)}')")"
echo "floor correct after the flood: $(verdict "$([ "$flood" = 0 ] && echo 1)")"
