"""Start and stop a real gunicorn running the service, for tests whose behaviour depends on it."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable, Mapping

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(name: str, process: subprocess.Popen[bytes] | None, url: str, log: Callable[[], str],
                     timeout: float, also: Callable[[], bool] = lambda: True) -> None:
    """Poll `url` until it answers 200 (and `also` holds); fail at once, with the log, if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200 and also():
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{name} not ready in {timeout}s:\n{log()}")


class GunicornServer:
    """gunicorn -c gunicorn.conf.py service.wsgi:app on a free loopback port, in its own session."""

    def __init__(self, tmp_path: Path, workers: int = 2, env: Mapping[str, str] | None = None,
                 metrics_port: int | None = None) -> None:
        self.port = free_port()
        self.metrics_port = metrics_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "gunicorn.log"
        self.metrics_dir = tmp_path / "metrics"
        self.env = {
            **os.environ,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "CRAMP_DRAIN_FILE": str(tmp_path / "drain"),
            "CRAMP_DRAIN_SECONDS": "1",
            **(env or {}),
        }
        if metrics_port is not None:
            self.env["METRICS_BIND"] = f"127.0.0.1:{metrics_port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "GunicornServer":
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "service.wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        wait_until_ready("gunicorn", self.process, self.url + "/readyz", self.log, timeout,
                         also=lambda: len(self.worker_pids()) >= 1)

    @property
    def master_pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.master_pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def signal(self, sig: int) -> None:
        os.kill(self.master_pid, sig)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick stop, no drain
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()
