"""Shared fixtures: one knowledge base and engine per session, a fresh app per test."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pure_engine import install_if_asked

install_if_asked()  # CRAMP_PURE_ENGINE=1: the engine from source, before anything imports it

from service.advice import COMPILED, Engine  # noqa: E402
from service.app import create_app  # noqa: E402
from service.config import Settings  # noqa: E402
from service.content import KnowledgeBase, load_knowledge_base  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`pure_engine` tests look inside the engine's classes, which compiled ones do not allow."""
    if not COMPILED:
        return
    skip = pytest.mark.skip(reason="observes the engine from inside; runs with CRAMP_PURE_ENGINE=1 (make test does)")
    for item in items:
        if item.get_closest_marker("pure_engine"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real knowledge base, loaded once."""
    return load_knowledge_base()


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    """The clinical engine over the real knowledge base."""
    return Engine(kb)


@pytest.fixture(scope="session")
def unindexed_engine(kb: KnowledgeBase) -> Engine:
    """The same engine evaluating every rule, topic and caution: what the index must never change."""
    return Engine(kb, use_index=False)


@pytest.fixture
def app() -> Iterator[Flask]:
    """A freshly built application with default settings."""
    yield create_app(Settings())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client whose every response is checked against openapi.yaml."""
    from spec_check import SpecCheckingClient

    app.test_client_class = SpecCheckingClient
    return app.test_client()


def load_vignettes() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "vignettes-public.json").read_text(encoding="utf-8"))
