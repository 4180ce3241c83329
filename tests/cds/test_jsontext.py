"""service/cds/jsontext.py: orjson's speed, and for every text exactly the strict decoder's answer."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.cds.jsontext import loads
from service.http.jsonbody import BodyError, strict_loads

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                      max_leaves=25)


def outcome(decode: Any, text: str) -> tuple[str, str]:
    """What a decoder answers: the document (repr keeps int from float and -0.0 from 0.0), or its error."""
    try:
        return "document", repr(decode(text))
    except BodyError as err:
        return "refused", str(err)
    except json.JSONDecodeError as err:
        return "malformed", f"{err.msg} {err.lineno}:{err.colno}"
    except (RecursionError, ValueError) as err:
        return "unreadable", type(err).__name__


def fast(text: str) -> Any:
    return loads(text, strict_loads)


@settings(max_examples=300)
@given(VALUES, st.booleans(), st.sampled_from([None, 1, 2]))
def test_any_json_text_decodes_as_the_strict_decoder_does(value: Any, ascii_only: bool, indent: int | None) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    assert outcome(fast, text) == outcome(strict_loads, text)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "a:b", "\\u0061", "c"]), SCALARS), max_size=5),
       st.sampled_from(["{}", "[{}]", '{{"x": {}, "y": 1}}']), st.sampled_from([":", " : "]))
def test_repeated_keys_are_refused_however_the_text_is_spelled(pairs: list[tuple[str, Any]], frame: str,
                                                               colon: str) -> None:
    members = ", ".join(f'"{key}"{colon}{json.dumps(value)}' for key, value in pairs)
    text = frame.format("{" + members + "}") if frame != "{}" else "{" + members + "}"
    assert outcome(fast, text) == outcome(strict_loads, text)


@given(st.text(max_size=40))
def test_any_text_at_all_gets_the_same_answer(text: str) -> None:
    assert outcome(fast, text) == outcome(strict_loads, text)


def test_the_cases_orjson_reads_differently() -> None:
    for text in ('{"a": 1, "a": 2}', '{"k": "x", "k": "x:y"}', '{"a": "\\u003a", "a": 1}', "[18446744073709551616]",
                 "[-9223372036854775809]", "[NaN]", "[1e400]", '["\\ud800"]', "[" * 300 + "]" * 300, "[" * 2000 + "]" * 2000):
        assert outcome(fast, text) == outcome(strict_loads, text), text
    assert outcome(fast, "[18446744073709551616]") == ("document", "[18446744073709551616]")
    assert outcome(fast, '{"a": 1, "a": 2}')[0] == "refused"
