"""CDS Hooks 2.0 over HTTP: discovery, the two services and their feedback endpoints. Thin on purpose:
bodies, tokens, problem+json and metrics here; everything about CDS Hooks in service/cds/."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from flask import Blueprint, Flask, Response, current_app, g, request

from service.cds import jsontext
from service.cds.auth import AuthError, TrustedIssuers
from service.cds.content import card_languages, load_content
from service.cds.locale import DEFAULT, choose_language, language_of, offered
from service.cds.services import QUININE, REVIEW, CdsError, CdsServices
from service.config import Settings
from service.http.jsonbody import BodyError, read_json, strict_loads
from service.http.problems import MALFORMED_JSON, problem
from service.http.security import UNAUTHORIZED
from service.observability import metrics

CDS_REQUEST = "urn:cramp-advice:problem:cds-request"
CDS_PREFETCH = "urn:cramp-advice:problem:cds-prefetch"
blueprint = Blueprint("cds", __name__)
_JSON_TYPES = ("application/json", "application/problem+json")
_PLAINLY_JSON = frozenset({"application/json", "*/*", "application/problem+json", "application/*"})


@dataclass
class CdsRuntime:
    by_language: dict[str, CdsServices]  # the services per locale the cards are offered in, default first
    negotiator: Any  # the content's BCP 47 negotiator (None for content without locales)
    issuers: TrustedIssuers
    settings: Settings
    questionnaire: str | None = None  # "/embed" once that page is served by this app
    checked_embed: bool = False

    @property
    def services(self) -> CdsServices:
        return next(iter(self.by_language.values()))

    def language(self, patient_languages: tuple[str, ...]) -> str:
        return choose_language(patient_languages, request.headers.get("Accept-Language"), self.negotiator,
                               tuple(self.by_language))


def register(app: Flask, settings: Settings) -> None:
    """Build the CDS services once per offered locale (content checked at start-up) and mount the endpoints."""
    runtime = app.extensions["cramp"]
    localised = getattr(runtime, "localised", None)
    by_language: dict[str, CdsServices] = {}
    if localised is None:  # content without locales: the one knowledge base
        by_language[DEFAULT] = CdsServices(runtime.kb, runtime.engine, load_content(runtime.kb, runtime.engine.lexicon))
    else:
        tags = offered(localised.editions.languages, card_languages())
        default = localised.editions.default_language
        for tag in sorted(tags, key=lambda t: t != default):  # the default first
            answerer = localised.answerer(tag, getattr(settings, "default_region", None))
            kb, engine = answerer.edition.kb, answerer.engine
            content = load_content(kb, engine.lexicon, language=language_of(tag))
            by_language[tag] = CdsServices(kb, engine, content, tag, answerer.edition.translation_reviewed)
    app.extensions["cramp_cds"] = CdsRuntime(
        by_language, getattr(localised, "languages", None), TrustedIssuers(settings.cds_issuers, settings.cds_base_url),
        settings)
    app.register_blueprint(blueprint)


def _cds() -> CdsRuntime:
    return current_app.extensions["cramp_cds"]  # type: ignore[no-any-return]


@blueprint.before_request
def _authenticate() -> Response | None:
    """CDS Hooks: every call, discovery included, carries a JWT when issuers are configured."""
    issuers = _cds().issuers
    if not issuers.enabled:
        return None
    try:
        issuer = issuers.verify(request.headers.get("Authorization"), request.path)
    except AuthError as err:
        return problem(401, "Unauthorized", str(err), UNAUTHORIZED,
                       headers={"WWW-Authenticate": 'Bearer realm="cramp-advice-cds", error="invalid_token"'})
    if g.get("cramp") is not None:
        g.cramp.client = issuer  # bounded: only configured issuers get here
    return None


@blueprint.get("/cds-services")
def discovery() -> Response:
    refused = require_json_accept(request)
    return refused or _json(_cds().services.discovery)


def _service(service_id: str, call: Callable[[CdsRuntime, Any], tuple[str, Any]]) -> Callable[[], Response]:
    def view() -> Response:
        cds = _cds()
        body = _body(cds.settings)
        if isinstance(body, Response):
            return body
        try:
            language, answer = call(cds, body)
        except CdsError as err:
            return _problem(err)
        if request.environ.get(metrics.TEST_TRAFFIC_ENVIRON) != "1":
            metrics.record_cds_cards(service_id, answer.kinds)
        response = _json(answer.body)
        response.headers["Content-Language"] = language
        response.headers.add("Vary", "Accept-Language")
        return response

    view.__name__ = f"service_{service_id.replace('-', '_')}"
    return view


def _feedback(service_id: str) -> Callable[[], Response]:
    def view() -> Response:
        cds = _cds()
        body = _body(cds.settings)
        if isinstance(body, Response):
            return body
        try:
            outcomes = cds.services.feedback(body)
        except CdsError as err:
            return _problem(err)
        if request.environ.get(metrics.TEST_TRAFFIC_ENVIRON) != "1":
            metrics.record_cds_feedback(service_id, outcomes)
        return _json({"received": len(outcomes)})

    view.__name__ = f"feedback_{service_id.replace('-', '_')}"
    return view


def _review(cds: CdsRuntime, body: Any) -> tuple[str, Any]:
    """The chart is read once; the cards in the patient's language, else the caller's (Accept-Language)."""
    chart = cds.services.read_chart(body, datetime.now(UTC).date())
    language = cds.language(tuple(chart.languages))
    return language, cds.by_language[language].review_cards(chart, _questionnaire())


def _quinine(cds: CdsRuntime, body: Any) -> tuple[str, Any]:
    language = cds.language(())
    return language, cds.by_language[language].quinine(body)


for _id, _call in ((REVIEW, _review), (QUININE, _quinine)):
    blueprint.add_url_rule(f"/cds-services/{_id}", view_func=_service(_id, _call), methods=["POST"])
    blueprint.add_url_rule(f"/cds-services/{_id}/feedback", view_func=_feedback(_id), methods=["POST"])


def _questionnaire() -> str | None:
    """An absolute link to the patient questionnaire, once this app serves /embed (no patient data in it)."""
    cds = _cds()
    if not cds.checked_embed:
        cds.questionnaire = "/embed" if any(r.rule == "/embed" for r in current_app.url_map.iter_rules()) else None
        cds.checked_embed = True
    if cds.questionnaire is None:
        return None
    return (cds.settings.cds_base_url or request.url_root.rstrip("/")) + cds.questionnaire


def _body(settings: Settings) -> Any:
    refused = require_json_accept(request)
    if refused is not None:
        return refused
    request.max_content_length = settings.cds_max_body_bytes + 1  # chunked bodies: stop one byte past
    try:
        return read_json(request, settings.cds_max_body_bytes, _decode)
    except BodyError as err:
        titles = {400: "Malformed JSON", 413: "Content Too Large", 415: "Unsupported Media Type"}
        return problem(err.status, titles[err.status], err.detail, MALFORMED_JSON if err.status == 400 else "about:blank")


def _decode(text: str) -> Any:
    """The strict decoder's answer for every body, at orjson's speed where that is provably the same."""
    return jsontext.loads(text, strict_loads)


def require_json_accept(req: Any) -> Response | None:
    """CDS Hooks speaks JSON only: an Accept header that rules it out gets 406."""
    accept = req.environ.get("HTTP_ACCEPT")
    if not accept or accept in _PLAINLY_JSON or req.accept_mimetypes.best_match(_JSON_TYPES) is not None:
        return None
    return problem(406, "Not Acceptable", "CDS Hooks endpoints answer application/json only.")


def _problem(err: CdsError) -> Response:
    if err.status == 412:
        return problem(412, "Precondition Failed", err.detail, CDS_PREFETCH, err.errors)
    return problem(400, "Bad Request", err.detail, CDS_REQUEST, err.errors)


def _json(body: Any) -> Response:
    return Response(orjson.dumps(body), 200, content_type="application/json")
