"""Shared fixtures: one knowledge base and engine per session, a fresh app per test."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.advice import Engine
from service.app import create_app
from service.config import Settings
from service.content import DEFAULT_DATA_DIR, KnowledgeBase, load_knowledge_base


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real knowledge base, loaded once."""
    return load_knowledge_base()


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    """The clinical engine over the real knowledge base."""
    return Engine(kb)


@pytest.fixture
def app() -> Iterator[Flask]:
    """A freshly built application with default settings."""
    yield create_app(Settings())


@pytest.fixture(scope="module")
def module_app() -> Flask:
    """One application with default settings for a whole module whose tests leave it as they found it
    (building one renders every edition's pages once); a module opts in by defining a module-scoped
    `app` fixture that returns it (tests/http/test_embed.py)."""
    return create_app(Settings())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client whose every response is checked against openapi.yaml."""
    from spec_check import SpecCheckingClient

    app.test_client_class = SpecCheckingClient
    return app.test_client()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A scratch copy of the real content files, to break one way per test."""
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target
