#!/usr/bin/env python3
"""Cell e with a client that is not the bottleneck: the same 200-call burst as workload.py's
`run_burst` (200 calls on 200 fresh connections at once, a quarter each of whoami / GET user /
list 200 users / activity POST), driven by one non-blocking `selectors` loop over raw sockets.

Why: httpx spends 1.9-3.5 s of client CPU on those 200 calls on this machine (measured against
fake_server.py, which answers at once), so workload.py's cell e measures the client, not the hub,
once the hub is fast. This client's own floor is measured too (`--floor-url`: the same calls
against fake_server.py) and printed beside the hub's figure, so the reader sees what is client.

Also `storm`: the spawn storm (200 `POST /users/{n}/server` at once, 429s retried after
min(Retry-After, 2 s), then `GET /users/{n}` polled every 0.2 s until `servers[""].ready`), with
the same loop, for the same reason.

Rows are appended to the workload's JSON-lines file: kind "throughput", cell "e-raw", and kind
"spawn_storm_raw". Usage (from bench/hub/run.sh and jupyterhub.sh):
  burst_raw.py burst --url URL --token T --pid PID --label L --out OUT [--floor-url URL] [--repeat 3]
  burst_raw.py storm --url URL --token T --pid PID --label L --out OUT --start 0 --count 200
  burst_raw.py stop  --url URL --token T --label L --out OUT --start 0 --count 200   (undo the storm)
"""
import argparse
import json
import random
import selectors
import socket
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import activity_body, list_user_names, pct, proc_cpu_s, proc_rss_mib, record  # noqa: E402


class Exchange:
    """One request on its own connection: connect, send, read one whole response."""

    __slots__ = ("sock", "out", "buf", "status", "body_start", "length", "chunked", "t0", "t1", "tag", "body")

    def __init__(self, addr, request, tag):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.out = memoryview(request)
        self.buf = bytearray()
        self.status = None
        self.body_start = None
        self.length = None
        self.chunked = False
        self.tag = tag
        self.body = b""
        self.t0 = time.perf_counter()
        self.t1 = None
        self.sock.connect_ex(addr)

    def complete(self):
        """True once the buffered bytes hold the whole response (Content-Length or chunked)."""
        if self.body_start is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
            self.status = int(head[0].split(" ", 2)[1])
            self.body_start = end + 4
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    self.length = int(value.strip())
                elif name == "transfer-encoding" and "chunked" in value.lower():
                    self.chunked = True
            if self.length is None and not self.chunked:
                self.length = 0 if self.status in (204, 304) else None
        if self.length is not None:
            if len(self.buf) - self.body_start >= self.length:
                self.body = bytes(self.buf[self.body_start:self.body_start + self.length])
                return True
            return False
        if self.chunked:
            return self.buf.endswith(b"0\r\n\r\n") and self._dechunk()
        return False

    def _dechunk(self):
        data, pos, out = self.buf, self.body_start, bytearray()
        while True:
            eol = data.find(b"\r\n", pos)
            if eol < 0:
                return False
            size = int(bytes(data[pos:eol]).split(b";")[0], 16)
            if size == 0:
                self.body = bytes(out)
                return True
            out += data[eol + 2:eol + 2 + size]
            pos = eol + 2 + size + 2


def run_exchanges(addr, requests, timeout=60.0):
    """Runs every (request_bytes, tag) at once, each on a fresh connection; returns the Exchanges."""
    sel = selectors.DefaultSelector()
    pending = []
    for request, tag in requests:
        ex = Exchange(addr, request, tag)
        sel.register(ex.sock, selectors.EVENT_WRITE, ex)
        pending.append(ex)
    left = len(pending)
    deadline = time.perf_counter() + timeout
    while left and time.perf_counter() < deadline:
        for key, events in sel.select(timeout=1.0):
            ex = key.data
            if events & selectors.EVENT_WRITE and ex.out:
                try:
                    sent = ex.sock.send(ex.out)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    ex.status, ex.t1 = "connect-error", time.perf_counter()
                    sel.unregister(ex.sock); ex.sock.close(); left -= 1
                    continue
                ex.out = ex.out[sent:]
                if not ex.out:
                    sel.modify(ex.sock, selectors.EVENT_READ, ex)
                continue
            if events & selectors.EVENT_READ:
                try:
                    chunk = ex.sock.recv(262144)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if chunk:
                    ex.buf += chunk
                    if not ex.complete():
                        continue
                elif ex.status is None:
                    ex.status = "closed"
                ex.t1 = time.perf_counter()
                sel.unregister(ex.sock); ex.sock.close(); left -= 1
    for ex in pending:
        if ex.t1 is None:
            ex.status, ex.t1 = "timeout", time.perf_counter()
            try:
                sel.unregister(ex.sock)
            except (KeyError, ValueError):
                pass
            ex.sock.close()
    sel.close()
    return pending


def request_bytes(host, token, method, path, body=None):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Authorization: token {token}",
             "Connection: close"]
    payload = body.encode() if body else b""
    if method != "GET":
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def parse_url(url):
    u = urllib.parse.urlsplit(url)
    return (u.hostname, u.port or 80), u.netloc


def burst_requests(netloc, token, names, user_count, n=200):
    """The same mix as workload.run_burst: i % 4 -> whoami, user, list 200, activity."""
    out = []
    for i in range(n):
        kind = "abcd"[i % 4]
        name = random.choice(names)
        if kind == "a":
            out.append((request_bytes(netloc, token, "GET", "/hub/api/user"), kind))
        elif kind == "b":
            out.append((request_bytes(netloc, token, "GET", f"/hub/api/users/{name}"), kind))
        elif kind == "c":
            off = random.randint(0, max(0, user_count - 200))
            out.append((request_bytes(netloc, token, "GET", f"/hub/api/users?limit=200&offset={off}"), kind))
        else:
            out.append((request_bytes(netloc, token, "POST", f"/hub/api/users/{name}/activity",
                                      activity_body()), kind))
    return out


def one_burst(url, token, names, user_count, pid):
    addr, netloc = parse_url(url)
    reqs = burst_requests(netloc, token, names, user_count)
    cpu0, ccpu0 = proc_cpu_s(pid), time.process_time()
    t0 = time.perf_counter()
    done = run_exchanges(addr, reqs)
    wall = time.perf_counter() - t0
    client_cpu = time.process_time() - ccpu0
    cpu1 = proc_cpu_s(pid)
    lat = sorted(ex.t1 - ex.t0 for ex in done)
    codes = {}
    for ex in done:
        codes[str(ex.status)] = codes.get(str(ex.status), 0) + 1
    errors = sum(v for k, v in codes.items() if not (k.isdigit() and int(k) < 400))
    row = {"requests": len(done), "wall_s": wall, "rps": len(done) / wall, "p50_ms": pct(lat, 50) * 1000,
           "p99_ms": pct(lat, 99) * 1000, "max_ms": lat[-1] * 1000, "errors": errors, "codes": codes,
           "tool": "raw-sockets", "client_cpu_s": round(client_cpu, 3)}
    if cpu0 is not None and cpu1 is not None:
        row["hub_cpu_s"] = round(cpu1 - cpu0, 3)
        row["hub_cpu_ms_per_req"] = round((cpu1 - cpu0) * 1000 / len(done), 3)
    return row


def cmd_burst(a):
    names = list_user_names(a.url, a.token)
    sample = names if len(names) <= 5000 else random.sample(names, 5000)
    floor = None
    if a.floor_url:
        floors = sorted((one_burst(a.floor_url, a.token, sample, len(names), None) for _ in range(a.repeat)),
                        key=lambda r: r["wall_s"])
        floor = floors[len(floors) // 2]
        print(f"  {a.label} e-raw client floor (fake server): wall {floor['wall_s']:.3f} s", file=sys.stderr)
    runs = []
    for rep in range(a.repeat):
        time.sleep(0.5)
        r = one_burst(a.url, a.token, sample, len(names), a.pid)
        r["rep"] = rep
        runs.append(r)
        print(f"  {a.label} e-raw rep{rep}: wall {r['wall_s']:.3f} s p50 {r['p50_ms']:.1f} ms "
              f"p99 {r['p99_ms']:.1f} ms codes {r['codes']}", file=sys.stderr)
    med = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
    row = {"kind": "throughput", "label": a.label, "cell": "e-raw", "users": len(names), "median": med,
           "wall_min": min(r["wall_s"] for r in runs), "wall_max": max(r["wall_s"] for r in runs),
           "rps_min": min(r["rps"] for r in runs), "rps_max": max(r["rps"] for r in runs),
           "runs": runs, "client_floor": floor}
    record(a.out, row)


def cmd_storm(a):
    addr, netloc = parse_url(a.url)
    names = [f"{a.prefix}{i:05d}" for i in range(a.start, a.start + a.count)]
    cpu0, rss0, ccpu0 = proc_cpu_s(a.pid), proc_rss_mib(a.pid), time.process_time()
    t0 = time.perf_counter()
    todo, codes, n429, post_lat = list(names), {}, 0, []
    deadline = time.monotonic() + a.ready_timeout
    while todo and time.monotonic() < deadline:
        done = run_exchanges(addr, [(request_bytes(netloc, a.token, "POST", f"/hub/api/users/{n}/server", ""), n)
                                    for n in todo])
        retry, wait = [], 0.0
        for ex in done:
            post_lat.append(ex.t1 - ex.t0)
            codes[str(ex.status)] = codes.get(str(ex.status), 0) + 1
            if ex.status == 429:
                n429 += 1
                retry.append(ex.tag)
                wait = max(wait, 0.5)
                for line in bytes(ex.buf[:ex.body_start or 0]).decode("latin-1").split("\r\n"):
                    if line.lower().startswith("retry-after:"):
                        wait = max(wait, min(float(line.split(":", 1)[1]), 2.0))
        todo = retry
        if todo:
            time.sleep(wait)
    t_posted = time.perf_counter() - t0
    pending, polls = set(names), 0
    while pending and time.monotonic() < deadline:
        done = run_exchanges(addr, [(request_bytes(netloc, a.token, "GET", f"/hub/api/users/{n}"), n)
                                    for n in sorted(pending)])
        polls += 1
        for ex in done:
            if ex.status == 200:
                try:
                    srv = json.loads(ex.body).get("servers", {}).get("")
                except ValueError:
                    srv = None
                if srv and srv.get("ready"):
                    pending.discard(ex.tag)
        if pending:
            time.sleep(0.2)
    t_ready = time.perf_counter() - t0
    cpu1 = proc_cpu_s(a.pid)
    post_lat.sort()
    row = {"kind": "spawn_storm_raw", "label": a.label, "users_spawned": len(names), "concurrency": len(names),
           "time_all_posted_s": round(t_posted, 3), "time_all_ready_s": round(t_ready, 3),
           "not_ready": len(pending), "post_codes": codes, "retried_429": n429,
           "post_p50_ms": round(pct(post_lat, 50) * 1000, 1), "post_p99_ms": round(pct(post_lat, 99) * 1000, 1),
           "ready_poll_rounds": polls, "client_cpu_s": round(time.process_time() - ccpu0, 3), "tool": "raw-sockets"}
    if cpu0 is not None and cpu1 is not None:
        row["hub_cpu_s"] = round(cpu1 - cpu0, 2)
        row["rss_before_mib"] = round(rss0, 1)
    record(a.out, row)


def cmd_stop(a):
    """Stops the storm's servers again (DELETE /users/{n}/server at once), so the httpx storm can reuse them."""
    addr, netloc = parse_url(a.url)
    names = [f"{a.prefix}{i:05d}" for i in range(a.start, a.start + a.count)]
    done = run_exchanges(addr, [(request_bytes(netloc, a.token, "DELETE", f"/hub/api/users/{n}/server", ""), n)
                                for n in names], timeout=a.ready_timeout)
    codes = {}
    for ex in done:
        codes[str(ex.status)] = codes.get(str(ex.status), 0) + 1
    print(f"  {a.label} stopped {len(names)} servers: {codes}", file=sys.stderr)
    # 202 means still stopping: wait until none is pending any more.
    deadline = time.monotonic() + a.ready_timeout
    while time.monotonic() < deadline:
        done = run_exchanges(addr, [(request_bytes(netloc, a.token, "GET", f"/hub/api/users/{n}"), n) for n in names])
        busy = [ex.tag for ex in done if ex.status == 200 and json.loads(ex.body).get("servers")]
        if not busy:
            return
        time.sleep(0.5)
    sys.exit(f"{a.label}: servers still running after {a.ready_timeout} s")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("burst", "storm", "stop"):
        s = sub.add_parser(name)
        s.add_argument("--url", required=True)
        s.add_argument("--token", required=True)
        s.add_argument("--pid", type=int)
        s.add_argument("--label", required=True)
        s.add_argument("--out", required=True)
    b = sub.choices["burst"]
    b.add_argument("--repeat", type=int, default=3)
    b.add_argument("--floor-url", help="fake_server.py URL: the same burst there = the client's own floor")
    for name in ("storm", "stop"):
        s = sub.choices[name]
        s.add_argument("--prefix", default="bu")
        s.add_argument("--start", type=int, default=0)
        s.add_argument("--count", type=int, default=200)
        s.add_argument("--ready-timeout", type=float, default=120)
    a = p.parse_args()
    {"burst": cmd_burst, "storm": cmd_storm, "stop": cmd_stop}[a.cmd](a)


if __name__ == "__main__":
    main()
