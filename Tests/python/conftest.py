"""Fixtures for tests that drive the real `pawshub` binary with real Python peers.

Everything listens on 127.0.0.1 only. Processes a test starts are killed on teardown, and every
wait is bounded, so a hung binary fails a test instead of hanging the suite.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A loopback TCP port that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for_listener(port: int, process: subprocess.Popen | None = None, log: Path | None = None,
                      timeout: float = 15.0) -> None:
    """Block until something accepts on 127.0.0.1:port; fail early if `process` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"process exited with {process.returncode} before listening on {port}"
                        f"{_log_tail(log)}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listened on {LOOPBACK}:{port} within {timeout}s{_log_tail(log)}")


def _log_tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n--- process output ---\n" + "\n".join(tail)


class ProcessRunner:
    """Starts processes with output captured to files and kills each one on teardown."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, Path]:
        log = self.directory / f"{name}-{len(self.started)}.log"
        with open(log, "wb") as out:
            # A new session so teardown can signal the process and anything it started.
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                       env={**os.environ, **(env or {})}, start_new_session=True)
        self.started.append((process, log))
        return process, log

    def stop_all(self) -> None:
        for process, _ in reversed(self.started):
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait(timeout=5)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture
def processes(tmp_path: Path):
    runner = ProcessRunner(tmp_path)
    yield runner
    runner.stop_all()


@pytest.fixture(scope="session")
def pawshub_bin() -> str:
    """Path of the pawshub binary under test, from $PAWSHUB_BIN (set by `make test`)."""
    value = os.environ.get("PAWSHUB_BIN")
    if not value:
        pytest.skip("PAWSHUB_BIN is not set: point it at a built pawshub binary (make test does)")
    path = Path(value)
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"PAWSHUB_BIN={value} is not an executable file")
    return str(path)


@dataclass
class RunningProxy:
    """A `pawshub proxy` process: where it listens and the token its REST API wants."""
    process: subprocess.Popen
    log: Path
    port: int
    api_port: int
    token: str

    @property
    def public_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"http://{LOOPBACK}:{self.api_port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_proxy(pawshub_bin: str, processes: ProcessRunner):
    """Factory: start `pawshub proxy` on free loopback ports with a fresh CONFIGPROXY_AUTH_TOKEN."""
    def start(*extra_args: str) -> RunningProxy:
        port, api_port = free_port(), free_port()
        token = secrets.token_hex(16)
        argv = [pawshub_bin, "proxy", "--ip", LOOPBACK, "--port", str(port),
                "--api-ip", LOOPBACK, "--api-port", str(api_port), "--log-level", "info", *extra_args]
        process, log = processes.start("pawshub-proxy", argv, env={"CONFIGPROXY_AUTH_TOKEN": token})
        wait_for_listener(port, process, log)
        wait_for_listener(api_port, process, log)
        return RunningProxy(process, log, port, api_port, token)
    return start


# MARK: backends

class _RecordingHandler(BaseHTTPRequestHandler):
    """Answers every request with JSON describing what arrived, so tests can see what the proxy sent."""
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = {
            "backend": self.server.name,
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        self.server.requests.append(record)
        status = 200
        # `/status/<code>` lets a test ask for a non-2xx answer from the backend itself.
        parts = self.path.split("?")[0].rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == "status" and parts[-1].isdigit():
            status = int(parts[-1])
        payload = json.dumps(record).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass


class Backend(ThreadingHTTPServer):
    """A small HTTP server in a thread that records requests and echoes them back as JSON."""
    daemon_threads = True

    def __init__(self, name: str):
        super().__init__((LOOPBACK, 0), _RecordingHandler)
        self.name = name
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}"


@pytest.fixture
def backend_factory():
    started: list[Backend] = []

    def make(name: str) -> Backend:
        server = Backend(name)
        threading.Thread(target=server.serve_forever, name=f"backend-{name}", daemon=True).start()
        started.append(server)
        return server
    yield make
    for server in started:
        server.shutdown()
        server.server_close()


class WebSocketEcho:
    """A WebSocket server on its own event loop thread that echoes every message back."""

    def __init__(self):
        self.port = 0
        self.paths: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="ws-echo", daemon=True)

    def start(self) -> "WebSocketEcho":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("WebSocket echo server did not start within 10 s")
        return self

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        from websockets.asyncio.server import serve

        async def echo(connection):
            self.paths.append(connection.request.path)
            try:
                async for message in connection:
                    await connection.send(message)
            except Exception:
                pass  # a client closing abruptly is normal at the end of a test

        self._stop = asyncio.Event()
        async with serve(echo, LOOPBACK, 0, compression=None, ping_interval=None) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture
def ws_echo():
    server = WebSocketEcho().start()
    yield server
    server.stop()


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    return f"http://{LOOPBACK}:{free_port()}"
