"""Crash safety: every write the hub acknowledged survives `kill -9` and a restart on the same SQLite file.

A burst of writes from several threads (users, tokens, group membership, activity) runs while the hub is
killed with SIGKILL mid-burst. After a restart on the same file every write that got a 2xx must be
visible through the API, the database must pass `PRAGMA integrity_check`, and the hub must be healthy.

Activity POSTs are the one documented exception: the hub holds reported activity in memory and writes it
every 0.5 s (`ReportedActivity.flushInterval`), so the design promises only reports acknowledged more than
1 s before the crash. Those are asserted; later ones may legitimately be lost.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import requests

from conftest import LOOPBACK  # noqa: F401  (conftest fixtures are used by name)
from hub_fixtures import ADMIN, RunningHub, launch, start_hub  # noqa: F401

ACTIVITY_WINDOW_S = 1.0
PREFIX = "crash"


@dataclass
class Acknowledged:
    """Writes that got a 2xx, with the monotonic time of the acknowledgement where it matters."""
    users: list[str] = field(default_factory=list)
    tokens: list[tuple[str, str]] = field(default_factory=list)  # (id, token)
    members: list[tuple[str, str]] = field(default_factory=list)  # (group, user)
    activity: list[tuple[float, str, datetime]] = field(default_factory=list)  # (ack time, user, timestamp)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, value) -> None:
        with self.lock:
            getattr(self, kind).append(value)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def writer(hub: RunningHub, stop: threading.Event, acked: Acknowledged, kind: str, worker: int) -> None:
    """One thread of the burst: issues one kind of write until stopped or the hub is gone."""
    session = requests.Session()
    session.headers["Authorization"] = f"token {hub.token}"
    base = f"{hub.url}/hub/api"
    n = 0
    while not stop.is_set():
        n += 1
        try:
            if kind == "users":
                name = f"{PREFIX}-w{worker}-{n}"
                response = session.post(f"{base}/users/{name}", json={}, timeout=5)
                if response.status_code == 201:
                    acked.note("users", name)
            elif kind == "tokens":
                response = session.post(f"{base}/users/{ADMIN}/tokens", json={"note": f"crash {worker}-{n}"}, timeout=5)
                if response.status_code == 201:
                    body = response.json()
                    acked.note("tokens", (body["id"], body["token"]))
            elif kind == "members":
                user = f"seed{(n * 7 + worker) % 40}"
                group = f"g{worker % 2}"
                response = session.post(f"{base}/groups/{group}/users", json={"users": [user]}, timeout=5)
                if response.status_code == 200:
                    acked.note("members", (group, user))
            else:
                user = f"seed{n % 40}"
                moment = datetime.now(timezone.utc) - timedelta(milliseconds=5)
                response = session.post(f"{base}/users/{user}/activity", json={"last_activity": iso(moment)}, timeout=5)
                if response.status_code == 200:
                    acked.note("activity", (time.monotonic(), user, moment))
            if response.status_code >= 500:
                acked.note("errors", f"{kind}: {response.status_code} {response.text[:200]}")
        except requests.RequestException:
            # The hub was killed: a write without an answer was never acknowledged.
            if stop.is_set():
                return
            time.sleep(0.01)


def test_every_acknowledged_write_survives_kill_9(start_hub, processes, pawshub_bin):
    hub = start_hub(static=False)
    seeds = [f"seed{i}" for i in range(40)]
    assert hub.api("POST", "/users", {"usernames": seeds}).status_code == 201
    for worker in range(2):
        assert hub.api("POST", f"/groups/g{worker}").status_code == 201

    acked = Acknowledged()
    stop = threading.Event()
    kinds = ["users", "users", "tokens", "tokens", "members", "members", "activity", "activity"]
    threads = [threading.Thread(target=writer, args=(hub, stop, acked, kind, i), daemon=True)
               for i, kind in enumerate(kinds)]
    for thread in threads:
        thread.start()
    time.sleep(2.5)
    hub.kill9()
    killed_at = time.monotonic()
    stop.set()
    for thread in threads:
        thread.join(10)

    assert not acked.errors, acked.errors[:5]
    assert len(acked.users) > 10 and len(acked.tokens) > 10 and acked.members and acked.activity, \
        f"the burst wrote too little to test anything: {len(acked.users)} users, {len(acked.tokens)} tokens, " \
        f"{len(acked.members)} memberships, {len(acked.activity)} activity reports"

    with sqlite3.connect(hub.database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    restarted = launch(pawshub_bin, processes, hub.directory, hub.config, hub.database,
                       hub.hub_port, hub.public_port, hub.token)
    assert restarted.api("GET", "/user").status_code == 200

    listed = restarted.api("GET", "/users", params={"name_filter": PREFIX, "limit": 200},
                           headers={"Accept": "application/jupyterhub-pagination+json"}).json()
    names = {u["name"] for u in listed["items"]}
    offset = len(listed["items"])
    while listed["_pagination"]["next"]:
        listed = restarted.api("GET", "/users", params={"name_filter": PREFIX, "limit": 200, "offset": offset},
                               headers={"Accept": "application/jupyterhub-pagination+json"}).json()
        names |= {u["name"] for u in listed["items"]}
        offset += len(listed["items"])
    missing_users = [n for n in acked.users if n not in names]
    assert not missing_users, f"{len(missing_users)} acknowledged users lost, e.g. {missing_users[:5]}"

    for token_id, token in acked.tokens:
        assert restarted.api("GET", f"/users/{ADMIN}/tokens/{token_id}").status_code == 200, token_id
        whoami = restarted.api("GET", "/user", token=token)
        assert whoami.status_code == 200 and whoami.json()["name"] == ADMIN

    for group in ("g0", "g1"):
        stored = set(restarted.api("GET", f"/groups/{group}").json()["users"])
        lost = [u for g, u in acked.members if g == group and u not in stored]
        assert not lost, f"group {group} lost acknowledged members {lost}"

    # Only activity acknowledged before the flush window is promised to survive.
    promised: dict[str, datetime] = {}
    for acked_at, user, moment in acked.activity:
        if acked_at < killed_at - ACTIVITY_WINDOW_S:
            promised[user] = max(promised.get(user, moment), moment)
    assert promised, "no activity report was acknowledged early enough to be promised"
    for user, moment in promised.items():
        stored = parse_time(restarted.api("GET", f"/users/{user}").json()["last_activity"])
        assert stored is not None and stored >= moment - timedelta(microseconds=1), \
            f"{user}: last_activity {stored} is older than the report acknowledged at {moment}"

    assert restarted.terminate() == 0
    with sqlite3.connect(hub.database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
