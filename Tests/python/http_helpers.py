"""Exact-bytes HTTP helpers for tests: http.client sends the path as given (no re-quoting) and
never goes through an environment proxy, which is what a proxy test needs."""
from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def request(port: int, method: str, path: str, body: bytes | str | dict | None = None,
            headers: dict[str, str] | None = None, timeout: float = 10.0) -> Reply:
    """One request on a fresh connection to 127.0.0.1:port, path sent verbatim."""
    if isinstance(body, dict):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def api(proxy, method: str, path: str, body=None, token: str | None = None) -> Reply:
    """A raw call to the proxy's REST API with `Authorization: token …` (the proxy's own token by default)."""
    return request(proxy.api_port, method, path, body,
                   headers={"Authorization": f"token {token if token is not None else proxy.token}"})


def parse_activity(value: str) -> datetime:
    """CHP's last_activity: ISO 8601 UTC with milliseconds and a `Z`."""
    assert value.endswith("Z"), f"last_activity {value!r} is not UTC with Z"
    return datetime.fromisoformat(value[:-1] + "+00:00")


def iso_now() -> str:
    """Now in CHP's last_activity format, for `inactive_since`."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def route_activity(proxy, chp_path: str) -> datetime:
    """last_activity of one route, read with GET /api/routes<path>."""
    reply = api(proxy, "GET", "/api/routes" + chp_path)
    assert reply.status == 200, f"GET /api/routes{chp_path} → {reply.status}"
    return parse_activity(reply.json()["last_activity"])
