"""The body reader's short roads agree with werkzeug's own reading of the same headers."""
from __future__ import annotations

import io

import pytest
from werkzeug.wrappers import Request

from service.http.jsonbody import _declared_length


@pytest.mark.parametrize("headers", [
    {"CONTENT_LENGTH": "12"},
    {"CONTENT_LENGTH": "0"},
    {"CONTENT_LENGTH": "012"},
    {"CONTENT_LENGTH": "-1"},
    {"CONTENT_LENGTH": "1e3"},
    {"CONTENT_LENGTH": "١٢"},  # Arabic-Indic digits: str.isdigit() says yes, HTTP says no
    {"CONTENT_LENGTH": ""},
    {},
    {"CONTENT_LENGTH": "12", "HTTP_TRANSFER_ENCODING": "chunked"},
    {"HTTP_TRANSFER_ENCODING": "chunked"},
])
def test_declared_length_is_werkzeugs(headers: dict[str, str]) -> None:
    environ = {"REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(b"{}"), **headers}
    assert _declared_length(Request(environ)) == Request(environ).content_length
