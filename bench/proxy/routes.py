#!/usr/bin/env python3
"""Add or delete many routes through a configurable-http-proxy compatible REST API and time it.

  routes.py add    --api-port A --target URL --first 10 --count 99990
  routes.py delete --api-port A --first 10 --count 99990

Routes are /user/rNNNNNN (six digits), with the data JupyterHub sends for a user's server. Requests go
over --connections keep-alive connections, one worker process each (JupyterHub itself keeps up to 10 in
flight). The client writes requests and reads replies on raw sockets: http.client managed ~2,000 requests/s
here, too slow to measure a 5,000/s target; this does ~8,000/s per process. The token comes from
$CONFIGPROXY_AUTH_TOKEN so it never shows in `ps`. Prints one line:
`op=add count=… seconds=… per_s=… errors=…`. Talks only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import sys
import time


def route_path(index: int) -> str:
    return f"/user/r{index:06d}"


class Connection:
    """One keep-alive HTTP/1.1 connection that sends a request and reads one reply (Content-Length framed)."""

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def exchange(self, request: bytes) -> int:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(self.buffer) < length:
            self._fill()
        self.buffer = self.buffer[length:]
        if close:
            self.close()
        return status

    def _fill(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            self.close()
            raise ConnectionError("server closed the connection mid-reply")
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def worker(op: str, port: int, token: str, target: str, first: int, stop: int, errors) -> None:
    connection = Connection(port)
    auth = f"Authorization: token {token}\r\n".encode()
    failed = 0
    for index in range(first, stop):
        path = ("/api/routes" + route_path(index)).encode()
        if op == "add":
            body = json.dumps({"target": target, "jupyterhub": True,
                               "user": f"r{index:06d}", "server_name": ""}).encode()
            request = (b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
                       b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            expected = 201
        else:
            request = b"DELETE " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + b"\r\n"
            expected = 204
        try:
            if connection.exchange(request) != expected:
                failed += 1
        except (OSError, ValueError, IndexError) as error:
            failed += 1
            connection.close()
            if failed == 1:
                print(f"routes.py: {op} {path.decode()}: {error!r}", file=sys.stderr)
    connection.close()
    with errors.get_lock():
        errors.value += failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("op", choices=["add", "delete"])
    parser.add_argument("--api-port", type=int, required=True)
    parser.add_argument("--target", default="http://127.0.0.1:9", help="route target for adds")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    token = os.environ.get("CONFIGPROXY_AUTH_TOKEN", "")
    if args.count <= 0 or args.connections <= 0:
        sys.exit("routes.py: --count and --connections must be positive")

    # Contiguous slices keep each connection's keys in order, as a hub restoring routes would send them.
    per = -(-args.count // args.connections)
    end = args.first + args.count
    errors = multiprocessing.Value("i", 0)
    workers = [multiprocessing.Process(target=worker, args=(args.op, args.api_port, token, args.target,
                                                             first, min(end, first + per), errors))
               for first in range(args.first, end, per)]
    start = time.perf_counter()
    for process in workers:
        process.start()
    for process in workers:
        process.join()
        if process.exitcode != 0:
            with errors.get_lock():
                errors.value += 1
    seconds = time.perf_counter() - start
    print(f"op={args.op} count={args.count} seconds={seconds:.3f} per_s={args.count / seconds:.1f} "
          f"errors={errors.value}", flush=True)


if __name__ == "__main__":
    main()
