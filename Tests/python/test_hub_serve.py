"""End-to-end smoke of the `pawshub` command line: serve, migrate --check, config check, token."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import LOOPBACK, free_port, wait_for_listener
from hub_fixtures import ADMIN, mint_token, run_command, start_hub, write_config  # noqa: F401


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def stop_with_sigterm(process: subprocess.Popen, limit: float = 5.0) -> tuple[int, float]:
    """SIGTERM and return (exit code, seconds it took)."""
    start = time.monotonic()
    os.kill(process.pid, signal.SIGTERM)
    try:
        code = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        pytest.fail(f"pawshub serve still running {limit}s after SIGTERM")
    return code, time.monotonic() - start


def check_api_root(url: str) -> None:
    response = requests.get(f"{url}/hub/api", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["version"], str) and response.json()["version"]


def test_embedded_defaults_start_create_the_database_and_stop_on_sigterm(pawshub_bin, processes, tmp_path):
    # The defaults are fixed ports; another suite (or a developer's hub) may hold them.
    if not (port_is_free(8000) and port_is_free(8081)):
        pytest.skip("127.0.0.1:8000 or :8081 is in use; the fixed-port defaults cannot be started here")
    process, log = _start_in(processes, pawshub_bin, tmp_path)
    wait_for_listener(8081, process, log, timeout=30)
    wait_for_listener(8000, process, log, timeout=30)
    assert (tmp_path / "pawshub.sqlite").is_file()
    assert requests.get(f"http://{LOOPBACK}:8081/hub/health", timeout=5).status_code == 200
    check_api_root(f"http://{LOOPBACK}:8081")
    check_api_root(f"http://{LOOPBACK}:8000")
    code, took = stop_with_sigterm(process)
    assert code == 0, log.read_text(errors="replace")[-2000:]
    assert took < 5


def _start_in(processes, pawshub_bin: str, directory: Path):
    """`pawshub serve` with no configuration, run in `directory` (its working directory)."""
    log = directory / "defaults.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([pawshub_bin, "serve"], cwd=directory, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    processes.started.append((process, log))
    return process, log


def test_api_answers_directly_and_through_the_public_proxy_port(start_hub):
    hub = start_hub(log_level="INFO")
    check_api_root(hub.url)
    check_api_root(hub.public_url)
    health = requests.get(f"{hub.url}/hub/health", timeout=5)
    assert health.status_code == 200
    via_proxy = requests.get(f"{hub.public_url}/hub/api/user", headers={"Authorization": f"token {hub.token}"},
                             timeout=5)
    assert via_proxy.status_code == 200 and via_proxy.json()["name"] == ADMIN
    code, took = stop_with_sigterm(hub.process)
    assert code == 0, hub.output()[-2000:]
    assert took < 5
    # Access lines as JupyterHub prints them; the request came through the proxy, so the client is loopback.
    access = re.compile(r"^\[I \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} PawsHub [^\]]+\] "
                        rf"200 GET /hub/api/user \({ADMIN}@127\.0\.0\.1\) \d+\.\d\dms$", re.MULTILINE)
    assert access.search(hub.output()), hub.output()[-2000:]
    assert hub.token not in hub.output()


def test_token_command_prints_a_token_the_api_accepts(start_hub, pawshub_bin):
    hub = start_hub(static=False)
    fresh = mint_token(pawshub_bin, hub.config, "tokenuser")
    assert len(fresh) == 32 and all(c in "0123456789abcdef" for c in fresh)
    whoami = hub.api("GET", "/user", token=fresh)
    assert whoami.status_code == 200
    assert whoami.json()["name"] == "tokenuser" and whoami.json()["kind"] == "user"
    assert hub.api("GET", "/user", token="0" * 32).status_code == 403


def test_migrate_check_fails_until_migrate_has_run(pawshub_bin, tmp_path):
    config = write_config(tmp_path, hub_port=free_port(), public_port=free_port(), static_url=None)
    pending = run_command(pawshub_bin, "migrate", "-f", str(config), "--check")
    assert pending.returncode != 0
    applied = run_command(pawshub_bin, "migrate", "-f", str(config))
    assert applied.returncode == 0, applied.stderr
    assert run_command(pawshub_bin, "migrate", "-f", str(config), "--check").returncode == 0
    # Running it again is a no-op, not an error.
    assert run_command(pawshub_bin, "migrate", "-f", str(config)).returncode == 0


def test_config_check_exit_codes(pawshub_bin, tmp_path):
    good = write_config(tmp_path, hub_port=free_port(), public_port=free_port(), static_url="http://127.0.0.1:9")
    ok = run_command(pawshub_bin, "config", "check", "-f", str(good))
    assert ok.returncode == 0, ok.stderr
    assert "static" in ok.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("JupyterHub:\n  bind_ulr: http://127.0.0.1:8000\n")
    failed = run_command(pawshub_bin, "config", "check", "-f", str(bad))
    assert failed.returncode == 2
    message = failed.stderr + failed.stdout
    assert "bind_ulr" in message and "bind_url" in message  # names the key and suggests the right one

    missing = run_command(pawshub_bin, "config", "check", "-f", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    assert "nope.yaml" in missing.stderr + missing.stdout
