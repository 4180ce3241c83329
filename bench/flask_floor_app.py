"""A second floor: the smallest Flask app that does what the floor does (read the body, answer ~3 KB).

The distance between this and bench/floor_app.py is what Flask and werkzeug cost per request on this
machine, before any of the service's own work.

    gunicorn -c gunicorn.conf.py bench.flask_floor_app:app
"""
from __future__ import annotations

from flask import Flask, Response, request

from bench.floor_app import BODY

app = Flask(__name__)


@app.post("/assess")
def assess() -> Response:
    request.get_data()
    return Response(BODY, content_type="application/json", headers={"Cache-Control": "no-store"})


@app.get("/readyz")
def readyz() -> Response:
    return Response(b"ok", content_type="text/plain")
