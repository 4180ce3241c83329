"""gunicorn settings from the environment (see README's configuration table).

Workers come from WEB_CONCURRENCY, never cpu_count(): a pod sees the host's cores, not its limit.
"""
import gc
import os
import shutil
import signal
from pathlib import Path

from service.http import gunicorn_errors

bind = [os.environ.get("BIND", "127.0.0.1:8000")]
if os.environ.get("METRICS_BIND"):
    bind.append(os.environ["METRICS_BIND"])
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "") == "1"
# The app logs one JSON line per request itself; gunicorn's access log would duplicate it in another format.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Load the app (and its knowledge base) in the master: a broken content file stops start-up once, loudly.
preload_app = True
# gunicorn >= 25.1 opens a control socket that a non-root user in a read-only image cannot create.
control_socket_disable = True
# On SIGTERM the service first fails /readyz for CRAMP_DRAIN_SECONDS while still answering, so load
# balancers stop sending before the workers stop accepting; then gunicorn's graceful stop runs.
drain_seconds = int(os.environ.get("CRAMP_DRAIN_SECONDS", "3"))
os.environ.setdefault("CRAMP_DRAIN_FILE", f"/tmp/cramp-drain-{os.getpid()}")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# gunicorn writes its own answer to a request it cannot parse as HTML; the contract says problem+json.
gunicorn_errors.replace_write_error()


def on_starting(server):  # noqa: ANN001 - gunicorn hook signature
    """Empty the Prometheus multiprocess directory: files left by an earlier run would be counted again."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        if path.exists():
            for child in path.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        path.mkdir(parents=True, exist_ok=True)


def when_ready(server):  # noqa: ANN001 - gunicorn hook signature
    """Replace gunicorn's immediate SIGTERM with drain-then-stop (see drain_seconds)."""
    # The preloaded app (knowledge base, schemas, templates) lives as long as the process: move it
    # out of the garbage collector's sight so collections in workers only scan per-request objects,
    # and so collections do not touch (and un-share) the pages workers inherit from the master.
    gc.freeze()
    drain_file = Path(os.environ["CRAMP_DRAIN_FILE"])
    drain_file.unlink(missing_ok=True)

    def stop_after_drain(signum, frame):  # noqa: ANN001
        server.signal(signal.SIGTERM, frame)

    def drain(signum, frame):  # noqa: ANN001
        drain_file.touch()  # no logging here: this runs inside a signal handler
        if drain_seconds > 0:
            signal.signal(signal.SIGALRM, stop_after_drain)
            signal.signal(signal.SIGTERM, stop_after_drain)  # a second SIGTERM stops at once
            signal.alarm(drain_seconds)
        else:
            server.signal(signal.SIGTERM, frame)

    signal.signal(signal.SIGTERM, drain)


def on_exit(server):  # noqa: ANN001 - gunicorn hook signature
    Path(os.environ["CRAMP_DRAIN_FILE"]).unlink(missing_ok=True)


def child_exit(server, worker):  # noqa: ANN001 - gunicorn hook signature
    """Mark a dead worker so its live gauges (in-flight) stop counting."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
