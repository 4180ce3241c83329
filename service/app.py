"""The application factory: reads like a table of contents of the service."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, g, request

from service.advice import Engine
from service.config import Settings
from service.content import KnowledgeBase, load_editions
from service.http import assess, cds, docs, embed, health, headers, problems, security
from service.localised import Localised, localised
from service.observability import metrics, requests
from service.render import Renderers


@dataclass(slots=True)
class Runtime:
    """What every request needs, built once per process."""

    settings: Settings
    kb: KnowledgeBase  # what a request without Accept-Language or region gets (CRAMP_DEFAULT_REGION)
    engine: Engine
    localised: Localised  # every (language, region): the answerer a request picks
    openapi: bytes
    docs: docs.DocsSite
    render: Renderers | None = None  # the HTML answer and the /embed pages (built on Flask's Jinja2)
    embed_csp: str = ""  # the /embed pages' Content-Security-Policy, from CRAMP_EMBED_ORIGINS
    ready: bool = False


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    answers = localised(load_editions(settings.knowledge_base_dir))  # every language x region, checked now
    default = answers.default(settings.default_region)
    kb = default.edition.kb
    openapi = docs.load_openapi()
    runtime = Runtime(settings, kb, default.engine, answers, openapi, docs.build_docs(openapi))

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes + 1  # one byte more: read_json tells "over"
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False  # OPTIONS is answered by CORS only, else 405
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["cramp"] = runtime
    runtime.render = Renderers(app.jinja_env, answers.editions, default.edition)  # every edition's words
    runtime.embed_csp = embed.embed_csp(settings.embed_origins)

    _install_request_pipeline(app, requests.RequestLog(settings.log_level), metrics.RequestMetrics(app),
                              security.Security(settings))
    problems.register(app)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(assess.blueprint)
    app.register_blueprint(embed.blueprint)
    app.register_blueprint(docs.blueprint)
    app.register_blueprint(metrics.blueprint)
    cds.register(app, settings)  # CDS Hooks: discovery, two services, feedback (service/cds/)

    app.wsgi_app = headers.ResponseHeaders(  # type: ignore[method-assign]
        app.wsgi_app, security.SECURITY_HEADERS, from_environ=[("X-Request-ID", requests.REQUEST_ID_ENVIRON)]
    )
    runtime.ready = True
    return app


def _install_request_pipeline(
    app: Flask, log: requests.RequestLog, counters: metrics.RequestMetrics, guard: security.Security
) -> None:
    """One before- and one after-request hook around every request, in a fixed order.

    Before: request id and timer, in-flight gauge, then keys/CORS (which may answer at once).
    After (the reverse): CORS headers, metrics, then the log line with the final status. The security
    headers and the X-Request-ID echo are added below Flask, by headers.ResponseHeaders.
    One hook each, so the order is written here rather than spread over registrations.
    """

    @app.before_request
    def _before() -> Response | None:
        state = g.cramp = requests.RequestState()
        log.before(request, state)
        counters.before(request, state)
        return guard.before(request, state)

    @app.after_request
    def _after(response: Response) -> Response:
        state = g.get("cramp") or requests.RequestState()  # None only if the before hook never ran
        guard.after(request, state, response)
        labels = requests.route_and_method(request)  # the metrics and the log line name the same route
        counters.after(request, state, response, labels)
        log.after(request, state, response, labels)
        return response

    @app.teardown_request
    def _teardown(_: BaseException | None) -> None:
        counters.teardown(g.get("cramp"))
