"""Helpers and fixtures for tests that run a real `pawshub serve` (hub API, crash, smoke, schemathesis).

A test asks for `start_hub` and gets a running hub on free loopback ports with its own SQLite file, a
temp configuration (static spawner pointing at a recording backend unless told otherwise) and an admin
token minted with `pawshub token`. Every process is started through conftest's `processes` runner, so
teardown stops it by PID; every wait is bounded.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from conftest import LOOPBACK, ProcessRunner, free_port, wait_for_listener

ADMIN = "hubadmin"
# A service token from the configuration (operator-supplied, so at least 8 characters).
SERVICE_TOKEN = "svc-token-0123456789abcdef0123456789ab"


def write_config(directory: Path, *, hub_port: int, public_port: int, static_url: str | None,
                 database: Path | None = None, extra: str = "", hub_traits: tuple[str, ...] = (),
                 log_level: str = "WARNING") -> Path:
    """Writes a hub configuration into `directory` and returns its path.

    `static_url` selects the static spawner (every server "is" that URL); None keeps the default spawner.
    `hub_traits` are extra `JupyterHub:` lines (`"allow_named_servers: true"`); `extra` is appended YAML.
    """
    database = database or directory / "hub.sqlite"
    lines = [
        "JupyterHub:",
        f"  bind_url: http://{LOOPBACK}:{public_port}",
        f"  hub_bind_url: http://{LOOPBACK}:{hub_port}",
        f"  db_url: sqlite:///{database}",
        f"  cookie_secret_file: {directory / 'cookie_secret'}",
        "  authenticator_class: dummy",
        "  cleanup_servers: false",
        f"  log_level: {log_level}",
        "  services:",
        "    - name: tester",
        f"      api_token: {SERVICE_TOKEN}",
        "      admin: true",
        *(f"  {trait}" for trait in hub_traits),
    ]
    if static_url is not None:
        lines.append("  spawner_class: static")
    lines += ["Authenticator:", f"  admin_users: [{ADMIN}]", "  allow_all: true"]
    if static_url is not None:
        lines += ["Spawner:", f"  static_url: {static_url}"]
    text = "\n".join(lines) + "\n" + extra
    path = directory / "pawshub.yaml"
    path.write_text(text)
    return path


def run_command(pawshub_bin: str, *args: str, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs a short `pawshub` command (token, migrate, config check) and returns its result."""
    return subprocess.run([pawshub_bin, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def mint_token(pawshub_bin: str, config: Path, user: str = ADMIN) -> str:
    """A new API token for `user` printed by `pawshub token` (fails the test if the command fails)."""
    result = run_command(pawshub_bin, "token", user, "-f", str(config))
    if result.returncode != 0:
        pytest.fail(f"pawshub token {user} exited {result.returncode}: {result.stderr.strip()}")
    token = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if not token:
        pytest.fail("pawshub token printed nothing")
    return token


@dataclass
class RunningHub:
    """A `pawshub serve` process and how to talk to it."""
    process: subprocess.Popen
    log: Path
    directory: Path
    config: Path
    database: Path
    hub_port: int
    public_port: int
    token: str = ""
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        """The hub's own listener (API and pages under /hub/)."""
        return f"http://{LOOPBACK}:{self.hub_port}"

    @property
    def public_url(self) -> str:
        """The embedded proxy's public listener."""
        return f"http://{LOOPBACK}:{self.public_port}"

    def api(self, method: str, path: str, body=None, token: str | None = None, timeout: float = 30,
            **kwargs) -> requests.Response:
        """Calls `/hub/api<path>` with the admin token (or `token`)."""
        headers = {"Authorization": f"token {token or self.token}"}
        headers.update(kwargs.pop("headers", {}))
        data = json.dumps(body) if body is not None else None
        if data is not None:
            headers.setdefault("Content-Type", "application/json")
        return self.session.request(method, f"{self.url}/hub/api{path}", data=data, headers=headers,
                                    timeout=timeout, **kwargs)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill9(self) -> None:
        """SIGKILL the hub process: no shutdown code runs."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, timeout: float = 10) -> int:
        """SIGTERM the hub and return its exit code (fails the test if it does not exit in time)."""
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"pawshub serve did not exit within {timeout}s of SIGTERM")


def wait_healthy(hub: RunningHub, timeout: float = 30) -> float:
    """Waits for `/hub/health` 200 and returns the seconds it took; fails early if the hub exits."""
    start = time.monotonic()
    wait_for_listener(hub.hub_port, hub.process, hub.log, timeout=timeout)
    while time.monotonic() - start < timeout:
        if hub.process.poll() is not None:
            pytest.fail(f"pawshub serve exited {hub.process.returncode}\n{hub.output()[-3000:]}")
        try:
            if requests.get(f"{hub.url}/hub/health", timeout=2).status_code == 200:
                return time.monotonic() - start
        except requests.RequestException:
            pass
        time.sleep(0.05)
    pytest.fail(f"/hub/health not 200 within {timeout}s\n{hub.output()[-3000:]}")


def launch(pawshub_bin: str, runner: ProcessRunner, directory: Path, config: Path, database: Path,
           hub_port: int, public_port: int, token: str = "") -> RunningHub:
    """Starts `pawshub serve -f config` in `directory` and waits until it is healthy."""
    process, log = runner.start("pawshub-serve", [pawshub_bin, "serve", "-f", str(config)])
    hub = RunningHub(process, log, directory, config, database, hub_port, public_port, token)
    wait_healthy(hub)
    return hub


@pytest.fixture
def start_hub(pawshub_bin: str, processes: ProcessRunner, tmp_path: Path, backend_factory):
    """Factory: a running hub with the static spawner (a recording backend) and an admin user token."""
    def start(static: bool = True, extra: str = "", log_level: str = "WARNING") -> RunningHub:
        directory = tmp_path / f"hub{len(processes.started)}"
        directory.mkdir()
        hub_port, public_port = free_port(), free_port()
        static_url = backend_factory("singleuser").url if static else None
        database = directory / "hub.sqlite"
        config = write_config(directory, hub_port=hub_port, public_port=public_port, static_url=static_url,
                              database=database, extra=extra, log_level=log_level)
        token = mint_token(pawshub_bin, config)
        return launch(pawshub_bin, processes, directory, config, database, hub_port, public_port, token)
    return start
