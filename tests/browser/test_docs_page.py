"""/docs in a real browser: Swagger UI renders the whole contract under the page's strict CSP.

Each test also holds the page to two rules: no console error (a CSP violation is one) and no request
to another origin. Screenshots go to .run/artifacts/ (docs-*.png).
"""
from __future__ import annotations

import urllib.request
from typing import Any

import pytest
import yaml
from browsing import RecordedPage, describe_violations

_SPEC: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def served_spec(live_server: Any) -> dict[str, Any]:
    """The document the live server serves (and the page renders), read once per session: the
    working tree's openapi.yaml may have changed since the server started."""
    if not _SPEC:
        with urllib.request.urlopen(live_server.url + "/openapi.yaml", timeout=10) as response:
            _SPEC.update(yaml.safe_load(response.read()))
    return _SPEC


def load_spec() -> dict[str, Any]:
    assert _SPEC, "the served_spec fixture loads it"
    return _SPEC

# Opens every collapsed schema, property and enum list under `root`, outermost first and one per frame
# (Swagger UI re-renders in between), until nothing is closed; -1 if that never happens.
EXPAND_ALL = """async (root) => {
  for (let round = 0; round < 1000; round++) {
    const closed = [...root.querySelectorAll(
      "button.json-schema-2020-12-expand-deep-button, button.json-schema-2020-12-accordion[aria-expanded=false]")]
      .find((b) => b.getAttribute("aria-expanded") === "false" || b.textContent === "Expand all");
    if (!closed) return round;
    closed.click();
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  return -1;
}"""
# The rendered schema as a tree: name, type, constraints, enum text and child properties.
READ_SCHEMA = """(root) => {
  const read = (article) => {
    const head = article.querySelector(":scope > .json-schema-2020-12-head");
    const body = article.querySelector(":scope > .json-schema-2020-12-body");
    const texts = (selector) => head ? [...head.querySelectorAll(selector)].map((e) => e.textContent) : [];
    const keyword = (name) => body && body.querySelector(`:scope > .json-schema-2020-12-keyword--${name}`);
    const props = keyword("properties");
    const items = body && body.querySelector(":scope > .json-schema-2020-12-keyword--items > article");
    const title = head && head.querySelector(".json-schema-2020-12__title");
    return {
      name: title ? title.textContent : null,
      types: texts(":scope > .json-schema-2020-12__attribute"),
      constraints: texts(":scope > .json-schema-2020-12__constraint").join(" "),
      enum: keyword("enum") ? keyword("enum").textContent : "",
      properties: props ? [...props.querySelectorAll(":scope > ul > li > article")].map(read) : [],
      items: items ? read(items) : null,
    };
  };
  return read(root.querySelector("article.json-schema-2020-12:not(.json-schema-2020-12--embedded)"));
}"""


def spec_operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in load_spec()["paths"].items()
            for method, operation in item.items() if method in {"get", "post", "put", "patch", "delete", "options"}]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = load_spec()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def property_names(schema: dict[str, Any], seen: frozenset[str] = frozenset()) -> set[str]:
    """Every property name at any depth, through $ref, items and allOf/oneOf/anyOf."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return set()
        return property_names(resolve(schema), seen | {schema["$ref"]})
    names = set(schema.get("properties") or {})
    children = list((schema.get("properties") or {}).values())
    children += [schema["items"]] if isinstance(schema.get("items"), dict) else []
    for combinator in ("allOf", "oneOf", "anyOf"):
        children += schema.get(combinator) or []
    for child in children:
        names |= property_names(child, seen)
    return names


def open_operation(recorded: RecordedPage, operation_id: str) -> Any:
    block = recorded.page.locator(f".opblock:has(.opblock-summary-control[aria-controls$='{operation_id}'])")
    if not block.count():  # ids are tag-operationId; find it by the deep link instead
        block = recorded.page.locator(f"[id$='-{operation_id}'].opblock")
    block.locator(".opblock-summary-control").click()
    block.locator(".opblock-body").wait_for()
    return block


def assert_clean(recorded: RecordedPage) -> None:
    assert recorded.console_errors() == []
    assert recorded.off_origin_requests() == []


@pytest.fixture
def docs(page: RecordedPage) -> RecordedPage:
    page.goto("/docs")
    page.page.locator(".opblock").first.wait_for()
    page.page.locator(".information-container .renderedMarkdown").first.wait_for()
    return page


def test_the_page_loads_with_no_console_error_and_nothing_from_elsewhere(docs: RecordedPage) -> None:
    docs.page.wait_for_load_state("networkidle")
    docs.screenshot("docs-top")
    assert_clean(docs)
    loaded = docs.request_urls()
    assert any(url.endswith("/openapi.yaml") for url in loaded)
    assert all("/docs/assets/" in url or url.endswith(("/docs", "/openapi.yaml")) for url in loaded), loaded


def test_every_operation_is_listed_with_its_summary(docs: RecordedPage) -> None:
    shown = set()
    for block in docs.page.locator(".opblock").all():
        method = block.locator(".opblock-summary-method").inner_text().strip().lower()
        path = block.locator(".opblock-summary-path").get_attribute("data-path")
        shown.add((method, path))
    assert shown == {(method, path) for method, path, _ in spec_operations()}
    summaries = docs.page.locator(".opblock-summary-description").all_inner_texts()
    assert {op.get("summary") for _, _, op in spec_operations()} <= set(summaries)
    assert_clean(docs)


def test_the_markdown_is_rendered(docs: RecordedPage) -> None:
    info = docs.page.locator(".information-container")
    assert info.locator("strong", has_text="Absent means unknown").count() == 1
    assert info.locator("li").count() >= 5
    assert "**" not in info.inner_text()
    assert_clean(docs)


def test_every_request_field_shows_its_type_range_enum_and_description(docs: RecordedPage) -> None:
    block = open_operation(docs, "assess")
    body = block.locator(".opblock-section-request-body")
    assert body.evaluate(EXPAND_ALL) >= 0
    rendered = body.evaluate(READ_SCHEMA)
    checked = _compare(load_spec()["components"]["schemas"]["AssessRequest"], rendered, "AssessRequest")
    assert checked > 40  # every field of the request, at every depth
    # Descriptions are rendered Markdown: `pregnant: true` is code, not backticks.
    assert body.locator(".renderedMarkdown code", has_text="pregnant: true").count() >= 1
    body.evaluate("(element) => element.scrollIntoView()")
    docs.screenshot("docs-assess-request")
    assert_clean(docs)


def _compare(schema: dict[str, Any], node: dict[str, Any], where: str) -> int:
    """Assert the rendered `node` shows what `schema` says; returns how many properties it checked."""
    schema = resolve(schema)
    expected_type = schema.get("type")
    if expected_type:
        assert any(t.startswith(expected_type) for t in node["types"]), f"{where}: type {node['types']}"
    for bound in ("minimum", "maximum", "maxItems", "maxLength"):
        if bound in schema:
            assert str(schema[bound]) in node["constraints"], f"{where}: {bound} not in {node['constraints']!r}"
    for value in schema.get("enum") or []:
        assert f'"{value}"' in node["enum"], f"{where}: enum value {value!r} not shown"
    checked = 0
    if isinstance(schema.get("items"), dict):
        assert node["items"] is not None, f"{where}: items not shown"
        checked += _compare(schema["items"], node["items"], f"{where}[]")
    rendered = {child["name"]: child for child in node["properties"]}
    for name, child_schema in (schema.get("properties") or {}).items():
        assert name in rendered, f"{where}.{name} is not shown (shown: {sorted(rendered)})"
        checked += 1 + _compare(child_schema, rendered[name], f"{where}.{name}")
    return checked


def test_every_response_field_is_browsable(docs: RecordedPage) -> None:
    block = open_operation(docs, "assess")
    response = block.locator("tr.response[data-code='200']")
    assert response.evaluate(EXPAND_ALL) >= 0
    shown = set(response.locator(".json-schema-2020-12__title").all_inner_texts())
    missing = property_names(load_spec()["components"]["schemas"]["AssessmentResponse"]) - shown
    assert not missing
    assert_clean(docs)


def test_examples_and_every_error_are_shown(docs: RecordedPage) -> None:
    block = open_operation(docs, "assess")
    operation = load_spec()["paths"]["/assess"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    options = block.locator(".opblock-section-request-body .examples-select-element option").all_inner_texts()
    assert len(options) == len(examples)
    block.locator(".opblock-section-request-body button.tablinks[data-name=example]").click()
    assert block.locator(".opblock-section-request-body .body-param__example").inner_text().strip().startswith("{")
    codes = set(block.locator("tr.response").evaluate_all("(rows) => rows.map((r) => r.dataset.code)"))
    assert codes == set(operation["responses"])
    problem = block.locator("tr.response[data-code='422']")
    assert problem.locator(".response-col_description").inner_text().strip()
    assert_clean(docs)


def test_try_it_out_calls_this_service_only_and_is_marked_test_traffic(docs: RecordedPage) -> None:
    block = open_operation(docs, "assess")
    block.locator("button.try-out__btn").click()
    with docs.page.expect_request(lambda r: r.url.endswith("/assess") and r.method == "POST") as sent:
        block.locator("button.execute").click()
    assert sent.value.headers.get("x-test-traffic") == "1"  # kept out of the clinical metrics
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip().startswith("200")
    assert_clean(docs)


def test_the_authorize_dialog_opens_under_the_policy(docs: RecordedPage) -> None:
    docs.page.locator("button.authorize").first.click()
    docs.page.locator(".dialog-ux .modal-ux").wait_for()
    assert_clean(docs)


def test_without_javascript_the_page_still_lists_every_operation(open_page: Any) -> None:
    recorded = open_page(java_script_enabled=False)
    recorded.goto("/docs")
    rows = recorded.page.locator(".docs-fallback tbody tr").all_inner_texts()
    assert len(rows) == len(spec_operations())
    recorded.screenshot("docs-no-javascript")
    assert_clean(recorded)


def test_narrow_screen_does_not_scroll_sideways(open_page: Any) -> None:
    recorded = open_page(viewport={"width": 320, "height": 800})
    recorded.goto("/docs")
    recorded.page.locator(".opblock").first.wait_for()
    width = recorded.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
    assert_clean(recorded)


# Violations in Swagger UI's own markup that neither docs.css nor docs.js fixes: rule id -> most nodes
# allowed. Empty today; should an upgrade bring some, list them here with the count and say so, and
# anything new or more of the same still fails. Fix the page rather than raise a number.
KNOWN_RENDERER_VIOLATIONS: dict[str, int] = {}


@pytest.mark.parametrize("state", ["loaded", "assess-open", "assess-tried"])
def test_axe_finds_no_new_violations(docs: RecordedPage, run_axe: Any, state: str) -> None:
    if state != "loaded":
        block = open_operation(docs, "assess")
        block.evaluate(EXPAND_ALL)
    if state == "assess-tried":
        block.locator("button.try-out__btn").click()
        block.locator("button.execute").click()
        block.locator(".live-responses-table tbody .response-col_status").first.wait_for()
    violations = run_axe(docs)
    unexpected = [v for v in violations if len(v["nodes"]) > KNOWN_RENDERER_VIOLATIONS.get(v["id"], 0)]
    assert not unexpected, describe_violations(unexpected)
    assert_clean(docs)
