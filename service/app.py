"""The application factory: reads like a table of contents of the service."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from service.advice import Engine
from service.config import Settings
from service.content import KnowledgeBase, load_knowledge_base
from service.http import assess, docs, health, problems, security
from service.observability import metrics, requests


@dataclass(slots=True)
class Runtime:
    """What every request needs, built once per process."""

    settings: Settings
    kb: KnowledgeBase
    engine: Engine
    openapi: bytes
    docs_html: bytes
    ready: bool = False


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    kb = load_knowledge_base(settings.knowledge_base_dir)
    openapi = docs.load_openapi()
    runtime = Runtime(settings, kb, Engine(kb), openapi, docs.render_docs(openapi))

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes + 1  # one byte more: read_json tells "over"
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False  # OPTIONS is answered by CORS only, else 405
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["cramp"] = runtime

    requests.install(app, settings.log_level)
    metrics.install(app)
    security.install(app, settings)
    problems.register(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(assess.blueprint)
    app.register_blueprint(docs.blueprint)
    app.register_blueprint(metrics.blueprint)

    runtime.ready = True
    return app
