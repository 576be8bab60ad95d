#!/usr/bin/env python3
"""Add or delete many routes through a configurable-http-proxy compatible REST API and time it.

  routes.py add    --api-port A --target URL --first 10 --count 99990
  routes.py delete --api-port A --first 10 --count 99990

Routes are /user/rNNNNNN (six digits), with the data JupyterHub sends for a user's server. Requests go
over keep-alive http.client connections (--connections of them, one thread each, like JupyterHub's
bounded concurrency). The token comes from $CONFIGPROXY_AUTH_TOKEN so it never shows in `ps`.
Prints one line: `op=add count=… seconds=… per_s=… errors=…`. Talks only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time


def route_path(index: int) -> str:
    return f"/user/r{index:06d}"


def worker(op: str, port: int, token: str, target: str, indices: range, errors: list[str]) -> None:
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for index in indices:
            path = "/api/routes" + route_path(index)
            if op == "add":
                body = json.dumps({"target": target, "jupyterhub": True,
                                   "user": f"r{index:06d}", "server_name": ""})
                connection.request("POST", path, body=body, headers=headers)
                expected = 201
            else:
                connection.request("DELETE", path, headers=headers)
                expected = 204
            response = connection.getresponse()
            response.read()
            if response.status != expected:
                errors.append(f"{op} {path}: {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                connection.close()  # http.client reconnects on the next request
    except (OSError, http.client.HTTPException) as error:
        errors.append(f"{op}: {error!r}")
    finally:
        connection.close()


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
    slices = [range(args.first + i * per, min(args.first + args.count, args.first + (i + 1) * per))
              for i in range(args.connections)]
    errors: list[str] = []
    threads = [threading.Thread(target=worker, args=(args.op, args.api_port, token, args.target, s, errors))
               for s in slices if len(s)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    print(f"op={args.op} count={args.count} seconds={seconds:.3f} per_s={args.count / seconds:.1f} "
          f"errors={len(errors)}", flush=True)
    for error in errors[:5]:
        print(f"routes.py: {error}", file=sys.stderr)


if __name__ == "__main__":
    main()
