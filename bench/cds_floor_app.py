"""The floor under a leg-cramp-review call: the smallest Flask app that reads and decodes its body.

It reads the ~48 KB prefetch body and decodes it as the service does (service/http/jsonbody.py's
read_json with service/cds/jsontext.py, the strict decoder behind it), then answers no cards: no
envelope or FHIR check, no chart, no engine, no cards. Its CPU per call over the service's POST
/assess, in the same run, is how much of the review's 2x budget receiving and decoding a realistic
prefetch takes before any of the service's own work (bench/cds_review.py --floor).

    gunicorn -c gunicorn.conf.py bench.cds_floor_app:app
"""
from __future__ import annotations

from typing import Any

import orjson
from flask import Flask, Response, request

from service.cds import jsontext
from service.config import Settings
from service.http.jsonbody import read_json, strict_loads

app = Flask(__name__)
LIMIT = Settings().cds_max_body_bytes
NO_CARDS = orjson.dumps({"cards": []})


def decode(text: str) -> Any:
    return jsontext.loads(text, strict_loads)


@app.post("/cds-services/leg-cramp-review")
def review() -> Response:
    read_json(request, LIMIT, decode)
    return Response(NO_CARDS, content_type="application/json")


@app.get("/readyz")
def readyz() -> Response:
    return Response(b"ok", content_type="text/plain")
