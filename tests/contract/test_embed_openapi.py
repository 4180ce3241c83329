"""openapi.yaml documents the HTML interface exactly: the form body of POST /embed is the form the service
reads (service/render/form.py), field by field, and the text/html answers are where the service sends them.

When the form changes, print the schema block to paste into openapi.yaml (components/schemas/EmbedForm):

    .venv/bin/python tests/contract/test_embed_openapi.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # spec_check, when run as a script

from spec_check import deref, load_spec  # noqa: E402

from service.content import load_knowledge_base  # noqa: E402
from service.render.form import FormCodec  # noqa: E402
from service.render.labels import Labels  # noqa: E402

FORM = "/components/schemas/EmbedForm"
ASSESS_HTML_ERRORS = ("400", "413", "415", "422", "500")  # bad input and failures, answered in HTML too
EMBED_HTML_ERRORS = ("400", "413", "415", "422", "500")  # 400: an unknown ?region=


def codec_schema() -> dict[str, Any]:
    return FormCodec(Labels(load_knowledge_base())).json_schema()


_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}  # YAML 1.1 reads these as non-strings


def _flow(value: Any) -> str:
    """A YAML flow value: JSON, with keys and simple strings unquoted where YAML allows it."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value == "" or (isinstance(value, str) and value.lower() in _YAML_WORDS):
        return f"'{value}'"
    if isinstance(value, str) and not value.replace("_", "").replace(".", "").isalnum():
        return json.dumps(value)
    return str(value) if not isinstance(value, bool) else str(value).lower()


def yaml_block() -> str:
    schema = codec_schema()
    lines = [
        "    EmbedForm:",
        "      type: object",
        "      additionalProperties: false",
        "      description: |",
        "        The questionnaire's answers, form-encoded (generated from service/render/form.py; a contract test",
        "        compares them). Each field is named by its AssessRequest path with dots. An empty value is no",
        "        answer (absent means unknown, never \"no\"); yes/no questions send `yes` or `no`; a list sends one",
        "        field per choice, and `none` alone sends an empty list. Medicines are rows",
        "        `medications.<row>.name|recent_change|weeks_since_change`; a row whose fields are all empty is",
        "        skipped, and a row with a change but no name keeps the change for a medicine not named.",
        "        Everything then goes through the same checks as AssessRequest.",
        "      properties:",
    ]
    lines += [f"        {name}: {_flow(value)}" for name, value in schema["properties"].items()]
    return "\n".join(lines) + "\n"


def _without_annotations(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_annotations(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_without_annotations(v) for v in node]
    return node


def test_the_documented_form_is_the_form_the_service_reads() -> None:
    spec = load_spec()["components"]["schemas"]["EmbedForm"]
    assert _without_annotations(spec) == codec_schema(), (
        "openapi.yaml's EmbedForm differs from the form the service reads: run "
        "`.venv/bin/python tests/contract/test_embed_openapi.py` and paste its output")


def test_post_embed_takes_the_form_and_answers_in_html() -> None:
    operation = load_spec()["paths"]["/embed"]["post"]
    assert operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"] == {"$ref": f"#{FORM}"}
    for status in ("200", *EMBED_HTML_ERRORS):
        response, _ = deref(operation["responses"][status], "")
        assert list(response["content"]) == ["text/html"], status
    assert set(operation["responses"]) == {"200", *EMBED_HTML_ERRORS, "405"}


def test_assess_documents_its_html_answer_and_html_refusals() -> None:
    operation = load_spec()["paths"]["/assess"]["post"]
    assert "text/html" in operation["responses"]["200"]["content"]
    for status in ASSESS_HTML_ERRORS:
        response, _ = deref(operation["responses"][status], "")
        assert set(response["content"]) == {"application/problem+json", "text/html"}, status
    names = [deref(p, "")[0]["name"] for p in operation["parameters"]]
    assert "heading_level" in names


if __name__ == "__main__":
    print(yaml_block(), end="")
