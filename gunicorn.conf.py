"""gunicorn settings from the environment (see README's configuration table).

Workers come from WEB_CONCURRENCY, never cpu_count(): a pod sees the host's cores, not its limit.
"""
import gc
import os
import shutil
import signal
from pathlib import Path

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


def _problem_for_unparsable_request(sock, status_int, reason, mesg):  # noqa: ANN001 - gunicorn.util.write_error
    """gunicorn answers a request it cannot parse (bad framing, header or request line) itself, as HTML.

    The contract says every error is problem+json, so replace that writer. `mesg` is not echoed: it can
    quote header values.
    """
    import gunicorn.util
    import orjson

    from service.http.problems import EMERGENCY_ADVICE, INTERNAL
    from service.observability.requests import new_request_id

    request_id = new_request_id()
    problem = {"type": "about:blank", "title": reason, "status": status_int,
               "detail": "The request could not be read as HTTP/1.1: its request line, headers or framing are invalid.",
               "request_id": request_id}
    if status_int >= 500:
        problem.update(type=INTERNAL, detail="The service failed to answer.", emergency_advice=EMERGENCY_ADVICE)
    body = orjson.dumps(problem)
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Request-ID: {request_id}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


import gunicorn.util  # noqa: E402

gunicorn.util.write_error = _problem_for_unparsable_request
