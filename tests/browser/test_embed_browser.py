"""/embed in a real browser (issue 14 part 4): the questionnaire, its error state and the result page of
every public vignette, against a live gunicorn, in Debian's chromium.

Every page is held to the same rules (`assert_clean`): zero axe violations (WCAG 2.0, 2.1, 2.2 A/AA), no
console error (a CSP violation is one), no request to another origin. The flow is done with the keyboard
alone, follow-up included; 320 px wide never scrolls sideways; print emulation hides the forms and spells
out the sources; every page's HTML is valid (vnu). Screenshots of each state go to .run/artifacts/
(embed-*.png): `embed-form-phone.png` is what a patient sees first on a phone.
"""
from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Callable

import pytest
from browsing import ARTIFACTS, RecordedPage, describe_violations

from html_check import read, same_statement
from service.content import load_editions, load_knowledge_base
from service.render.form import FormCodec
from service.render.labels import Labels
from tooling import skip_or_fail
from vignette_files import load_vignettes

CASES = load_vignettes()
SPANISH = load_editions().edition("es", None).kb.presentation.page
PHONE = {"width": 375, "height": 667}
NARROW = {"width": 320, "height": 640}
VNU = Path(__file__).with_name("node_modules") / "vnu-jar" / "build" / "dist" / "vnu.jar"
PAGES = ARTIFACTS / "embed-pages"  # each state's HTML, for vnu (and for a person reading a failure)
# Builds and submits a form with these fields, as a portal's page or a browser's back-and-resubmit would:
# a real POST navigation, so the result page is what a browser shows.
SUBMIT = """(pairs) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/embed";
  for (const [name, value] of pairs) {
    const input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def codec() -> FormCodec:
    return FormCodec(Labels(load_knowledge_base()))


def assert_clean(recorded: RecordedPage, run_axe: Callable[..., list[dict[str, Any]]], status: int = 200) -> None:
    violations = run_axe(recorded)
    assert not violations, describe_violations(violations)
    # Chromium logs a document's own 4xx status as a console error; that one is the point of the page.
    expected = f"Failed to load resource: the server responded with a status of {status} "
    assert [e for e in recorded.console_errors() if expected not in e or status == 200] == []
    assert recorded.off_origin_requests() == []


def keep_html(recorded: RecordedPage, name: str) -> None:
    PAGES.mkdir(parents=True, exist_ok=True)
    (PAGES / f"{name}.html").write_text(recorded.page.content(), encoding="utf-8")


def submit(recorded: RecordedPage, pairs: list[tuple[str, str]]) -> Any:
    with recorded.page.expect_navigation():
        recorded.page.evaluate(SUBMIT, [list(pair) for pair in pairs])
    return recorded.page


def json_answer(url: str, request: dict[str, Any]) -> dict[str, Any]:
    call = urllib.request.Request(url + "/assess", data=json.dumps(request).encode(), method="POST",
                                  headers={"Content-Type": "application/json", "X-Test-Traffic": "1"})
    with urllib.request.urlopen(call, timeout=10) as response:
        return json.loads(response.read())


def tab_to(recorded: RecordedPage, selector: str, most: int = 400) -> None:
    """Press Tab until the element matching `selector` has focus (the keyboard alone, no clicks)."""
    page = recorded.page
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus by Tab")


# --------------------------------------------------------------------------- the three states

def test_the_empty_form(open_page: Any, run_axe: Any) -> None:
    phone = open_page(viewport=PHONE)
    response = phone.goto("/embed")
    assert response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    phone.screenshot("embed-form-phone")  # what a patient sees first
    phone.screenshot("embed-form-phone-full", full_page=True)
    assert_clean(phone, run_axe)
    keep_html(phone, "form")
    assert phone.page.context.cookies() == []


def test_the_error_state(open_page: Any, run_axe: Any) -> None:
    recorded = open_page(viewport=PHONE)
    recorded.goto("/embed")
    page = recorded.page
    page.fill("#cramp-f-person-age", "130")
    page.fill("#cramp-f-cramp-duration_minutes", "two")
    page.check("#cramp-f-signs-chest_pain-no")
    with page.expect_navigation() as navigation:
        page.locator("button[type=submit]").press("Enter")
    assert navigation.value.status == 422
    assert page.title().startswith("Error: ")
    summary = read(page.content()).error_summary
    assert [text for _, text in summary] == [
        "Age: Must be greater than or equal to 0 and less than or equal to 120.",
        "Longest cramp: Not a valid number.",
    ]
    # Every answer kept, the wrong ones included.
    assert page.input_value("#cramp-f-person-age") == "130"
    assert page.is_checked("#cramp-f-signs-chest_pain-no")
    recorded.screenshot("embed-error-phone")
    assert_clean(recorded, run_axe, status=422)
    keep_html(recorded, "error")
    # Each summary link takes the reader to its field (focus needs no script: Tab goes on from there).
    page.locator(".cramp-error-summary a").first.press("Enter")
    assert page.evaluate("location.hash") == "#cramp-f-person-age"
    assert page.locator("#cramp-f-person-age").is_visible()


def test_the_error_page_for_a_request_it_cannot_read(open_page: Any, run_axe: Any) -> None:
    """Answers too large to read (413): a page that says so, with the emergency advice; never JSON."""
    recorded = open_page(viewport=PHONE)
    recorded.goto("/embed")
    page = submit(recorded, [("medications.0.name", "x" * 40_000)])
    assert "Sorry, we could not read your answers" in page.title()
    assert "emergency number" in page.inner_text("main")
    recorded.screenshot("embed-error-page-phone")
    assert_clean(recorded, run_axe, status=413)
    keep_html(recorded, "error-page")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_result_of_every_public_vignette(open_page: Any, run_axe: Any, live_server: Any, codec: FormCodec,
                                             case: dict[str, Any]) -> None:
    recorded = open_page(viewport=PHONE)
    recorded.goto("/embed")
    from schemas import ASSESS_REQUEST

    page = submit(recorded, codec.encode(ASSESS_REQUEST.load(case["request"])))
    html = page.content()
    assert same_statement(html, json_answer(live_server.url, case["request"])) == []
    recorded.screenshot(f"embed-result-{case['id']}-phone")
    assert_clean(recorded, run_axe)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    keep_html(recorded, f"result-{case['id']}")


# --------------------------------------------------------------------------- in Spanish (issue 15 part 4)

def test_the_spanish_pages(open_page: Any, run_axe: Any) -> None:
    """A portal frames /embed?lang=es&region=ES: the questionnaire, its error state and a result are wholly
    in Spanish (lang="es" on the page, nothing marked as another language) and axe-clean."""
    recorded = open_page(viewport=PHONE)
    response = recorded.goto("/embed?lang=es&region=ES")
    page = recorded.page
    assert response.status == 200 and response.headers["content-language"] == "es"
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("[lang]:not(html)").count() == 0
    assert page.title().startswith(SPANISH["questionnaire_title"])
    recorded.screenshot("embed-form-es-phone")
    assert_clean(recorded, run_axe)
    keep_html(recorded, "form-es")

    page.fill("#cramp-f-person-age", "130")
    page.fill("#cramp-f-cramp-duration_minutes", "dos")
    with page.expect_navigation() as navigation:
        page.locator("button[type=submit]").press("Enter")
    assert navigation.value.status == 422
    summary = [text for _, text in read(page.content()).error_summary]
    assert page.title().startswith(SPANISH["error_prefix"])
    assert len(summary) == 2 and "120" in summary[0]
    assert not any("Must be" in text or "Not a valid" in text for text in summary)
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("[lang]:not(html)").count() == 0
    recorded.screenshot("embed-error-es-phone")
    assert_clean(recorded, run_axe, status=422)
    keep_html(recorded, "error-es")

    page.fill("#cramp-f-person-age", "45")
    page.fill("#cramp-f-cramp-duration_minutes", "0,5")  # the Spanish decimal comma
    page.check("#cramp-f-signs-chest_pain-yes")
    with page.expect_navigation() as navigation:
        page.locator("button[type=submit]").press("Enter")
    assert navigation.value.status == 200
    assert page.evaluate("document.documentElement.lang") == "es"
    main = page.inner_text("main")
    assert "112" in main and "999" not in main and "911" not in main  # Spain's number only
    assert page.get_attribute("section.cramp", "data-cramp-level") == "emergency"
    recorded.screenshot("embed-result-es-phone")
    assert_clean(recorded, run_axe, status=422)  # the console still holds the error state's own 422
    keep_html(recorded, "result-es")


# --------------------------------------------------------------------------- the keyboard alone

def test_the_whole_flow_with_the_keyboard_alone(open_page: Any, run_axe: Any) -> None:
    recorded = open_page()
    recorded.goto("/embed")
    page = recorded.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "cramp-skip-link"
    tab_to(recorded, "#cramp-f-person-age")
    page.keyboard.type("52")
    tab_to(recorded, "input[name='cramp.locations'][value='calf']")
    page.keyboard.press("Space")
    tab_to(recorded, "input[name='cramp.side']")  # a radio group is one Tab stop; arrows choose
    page.keyboard.press("ArrowDown")  # left -> right (the first arrow press moves and selects)
    tab_to(recorded, "input[name='signs.chest_pain']")
    page.keyboard.press("ArrowRight")  # yes -> no
    tab_to(recorded, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.is_visible(".cramp-followup")
    recorded.screenshot("embed-keyboard-result")
    hidden = {el.get_attribute("name"): el.get_attribute("value") for el in page.query_selector_all(
        ".cramp-followup input[type=hidden]")}
    assert hidden == {"person.age": "52", "cramp.locations": "calf", "cramp.side": "right", "signs.chest_pain": "no"}
    # The follow-up, still by keyboard: answer its first question "no", then send it.
    first = page.query_selector(".cramp-followup .cramp-radios__input")
    name = first.get_attribute("name")
    tab_to(recorded, f".cramp-followup input[name='{name}']")
    page.keyboard.press("ArrowRight")  # the first answer -> the second (for yes/no: "no")
    chosen = page.evaluate("(n) => document.querySelector(`.cramp-followup input[name='${n}']:checked`).value", name)
    tab_to(recorded, ".cramp-followup button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    hidden = {el.get_attribute("name"): el.get_attribute("value") for el in page.query_selector_all(
        ".cramp-followup input[type=hidden]")}
    assert chosen and hidden.get(name) == chosen, "the follow-up answer must be in the next round's earlier answers"
    recorded.screenshot("embed-keyboard-follow-up")
    assert_clean(recorded, run_axe)


def test_the_form_works_with_javascript_off(open_page: Any) -> None:
    recorded = open_page(java_script_enabled=False)
    recorded.goto("/embed")
    page = recorded.page
    page.fill("#cramp-f-person-age", "30")
    with page.expect_navigation() as navigation:
        page.locator("button[type=submit]").press("Enter")
    assert navigation.value.status == 200
    assert page.locator("section.cramp").get_attribute("data-cramp-level")
    assert recorded.off_origin_requests() == []


# --------------------------------------------------------------------------- layout and media

@pytest.mark.parametrize("state", ["form", "error", "result"])
def test_320_pixels_wide_never_scrolls_sideways(open_page: Any, codec: FormCodec, state: str) -> None:
    recorded = open_page(viewport=NARROW)
    recorded.goto("/embed")
    if state == "error":
        submit(recorded, [("person.age", "130"), ("medications.0.name", "x" * 100)])
    elif state == "result":
        from schemas import ASSESS_REQUEST

        submit(recorded, codec.encode(ASSESS_REQUEST.load(max(CASES, key=lambda c: len(json.dumps(c)))["request"])))
    assert recorded.page.evaluate(NO_SIDEWAYS_SCROLL), f"{state} scrolls sideways at 320 px"
    recorded.screenshot(f"embed-{state}-320px", full_page=True)


def test_print_hides_the_forms_and_spells_out_the_sources(open_page: Any, codec: FormCodec) -> None:
    recorded = open_page()
    recorded.goto("/embed")
    from schemas import ASSESS_REQUEST

    page = submit(recorded, codec.encode(ASSESS_REQUEST.load(CASES[0]["request"])))
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.cramp-followup')).display") == "none"
    source = page.evaluate("getComputedStyle(document.querySelector('.cramp-sources a'), '::after').content")
    assert "https://" in source or "attr(href)" in source
    assert page.evaluate("getComputedStyle(document.querySelector('.cramp-disposition')).breakInside") == "avoid"
    recorded.screenshot("embed-result-print", full_page=True)
    page.emulate_media(media="screen", forced_colors="active")
    recorded.screenshot("embed-result-forced-colours")
    page.emulate_media(media="screen", forced_colors="none", reduced_motion="reduce")
    assert recorded.console_errors() == []


# --------------------------------------------------------------------------- valid HTML

def test_every_page_is_valid_html() -> None:
    """vnu (the Nu Html Checker, npm vnu-jar; Java 17) over every page the tests above kept."""
    if not VNU.is_file():
        skip_or_fail(f"{VNU} not found (run `npm ci --prefix tests/browser`, as `make test` and .ci/run do)")
    pages = sorted(PAGES.glob("*.html")) if PAGES.is_dir() else []
    if len(pages) < 6 + len(CASES):
        pytest.skip("the page tests did not all run in this session (deselected)")
    try:
        checked = subprocess.run(["java", "-jar", str(VNU), "--format", "json", *map(str, pages)],
                                 capture_output=True, text=True, timeout=300)
    except FileNotFoundError:
        skip_or_fail("java not found (Debian openjdk-17-jre-headless; .ci/run installs it)")
    messages = json.loads(checked.stderr or "{}").get("messages", [])
    problems = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['type']}: {m['message']}" for m in messages]
    assert problems == [], "\n".join(problems)
    print(f"\nvnu: {len(pages)} pages valid")
