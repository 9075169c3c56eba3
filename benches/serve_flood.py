#!/usr/bin/env python3
"""Malformed traffic against a running `cnid serve` (loopback only), then checks it still
answers correctly. Usage: serve_flood.py HOST:PORT [COUNT] [SLOW] [WORKERS]

COUNT connections (default 10000), each one kind of abuse: random bytes, huge request
lines, huge headers, bad UTF-8, impossible lengths, broken chunking, half-open (half-closed
after a partial head), connect-and-drop; plus SLOW slow clients (default 50) trickling a
head byte by byte until the server cuts them, alongside WORKERS (default 32) connections
at a time for the rest. Prints counts per kind and per answer code.
Exit 1 if the server stops answering the seed's request exactly."""
import random
import socket
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

host, port = sys.argv[1].rsplit(":", 1)
port = int(port)
assert host in ("127.0.0.1", "localhost", "::1"), "loopback only"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
slow_count = int(sys.argv[3]) if len(sys.argv) > 3 else 50
workers = int(sys.argv[4]) if len(sys.argv) > 4 else 32
rng = random.Random(11)

SEED = (b"GET /?app=idcard.get&idcard=110101199001011114&appkey=10003&sign=x&format=json "
        b"HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
SEED_ANSWER = ('{"success":"1","result":{"status":"ALREADY_ATT","idcard":"110101199001011114",'
               '"par":"110101","born":"1990年01月01日","sex":"男","att":"北京市 东城区 ",'
               '"postno":"100000","areano":"010","style_simcall":"中国,北京",'
               '"style_citynm":"中华人民共和国,北京市"}}').encode()


def kinds():
    return {
        "random bytes": lambda r: bytes(r.getrandbits(8) for _ in range(r.randint(1, 4096))),
        "huge line": lambda r: b"GET /?" + b"a" * r.randint(9000, 70000) + b" HTTP/1.1\r\n\r\n",
        "huge header": lambda r: b"GET / HTTP/1.1\r\nX: " + b"b" * r.randint(17000, 70000) + b"\r\n\r\n",
        "many headers": lambda r: b"GET / HTTP/1.1\r\n" + b"X: 1\r\n" * 200 + b"\r\n",
        "raw non-ascii": lambda r: (b"GET /?app=idcard.get&idcard=\xff\xfe" + bytes(r.getrandbits(8) | 0x80 for _ in range(20))
                                    + b" HTTP/1.1\r\nConnection: close\r\n\r\n"),
        "bad utf-8": lambda r: (b"GET /?app=idcard.get&idcard=%FF%FE%C0" + "".join("%%%02X" % (r.getrandbits(8) | 0x80) for _ in range(20)).encode()
                                + b"&jsoncallback=%E2%80%A8 HTTP/1.1\r\nConnection: close\r\n\r\n"),
        "bad utf-8 body": lambda r: (b"POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
                                     b"Connection: close\r\n\r\n{\"idcard\":\xff\xfe}"),
        "huge length": lambda r: b"POST / HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\nx",
        "two lengths": lambda r: b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "bad chunks": lambda r: b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "half-open": None,
        "connect and drop": None,
    }


def one(i):
    r = random.Random(i)
    names = list(kinds().items())
    name, make = names[i % len(names)]
    try:
        with socket.create_connection((host, port), timeout=10) as s:
            if name == "connect and drop":
                return name, "-"
            if name == "half-open":
                s.sendall(b"GET /?app=idcard.get&idcard=1101")
                s.shutdown(socket.SHUT_WR)
            else:
                try:
                    s.sendall(make(r))
                except OSError:
                    pass  # refused mid-way: the answer may still be there
            data = b""
            try:
                while len(data) < 65536:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            code = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.1 ") else "closed"
            return name, code
    except OSError as e:
        return name, type(e).__name__


def slow(i):
    try:
        with socket.create_connection((host, port), timeout=30) as s:
            for b in b"GET /?app=idcard.get&idcard=110101199001011114 HTTP/1.1\r\nHost: x\r\n":
                s.sendall(bytes([b]))
                time.sleep(0.25)
            return "slow", "finished?"
    except OSError:
        return "slow", "cut"


def seed_ok():
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(SEED)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"\r\n\r\n" + SEED_ANSWER)


started = time.time()
tally = Counter()
with ThreadPoolExecutor(max_workers=slow_count + 1) as slow_pool:
    slow_futures = [slow_pool.submit(slow, i) for i in range(slow_count)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for name, code in pool.map(one, range(count)):
            tally[(name, code)] += 1
    for f in slow_futures:
        tally[f.result()] += 1
elapsed = time.time() - started
for (name, code), n in sorted(tally.items()):
    print(f"  {name:18} {code:14} {n}")
ok = seed_ok()
print(f"flood: {count} malformed + {slow_count} slow connections in {elapsed:.1f} s; "
      f"then the seed's request answered {'correctly' if ok else 'WRONGLY'}")
sys.exit(0 if ok else 1)
