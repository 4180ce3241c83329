"""The compiled engine (setup.py, mypyc): CI tests what ships, and a stale build never runs."""
from __future__ import annotations

import hashlib
import json
import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from service.advice import COMPILED, check_compiled, compiled_modules

SUFFIX = EXTENSION_SUFFIXES[0]  # ".cpython-311-x86_64-linux-gnu.so" here


def test_ci_runs_the_compiled_engine() -> None:
    """The image compiles the engine, so CI must test the compiled one (.ci/run installs a compiler)."""
    if os.environ.get("CI") != "true" or os.environ.get("CRAMP_PURE_ENGINE") == "1":
        pytest.skip("outside CI, or the session that runs the engine from source on purpose")
    assert COMPILED


def fake_build(tmp_path: Path, sources: dict[str, bytes], recorded: dict[str, bytes] | None) -> Path:
    for name, text in sources.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text)
        (tmp_path / (name[:-3] + SUFFIX)).write_bytes(b"")
    if recorded is not None:
        hashes = {name: hashlib.sha256(text).hexdigest() for name, text in recorded.items()}
        (tmp_path / "compiled.json").write_text(json.dumps({"sources": hashes}))
    return tmp_path


def test_compiled_modules_are_named_by_their_source(tmp_path: Path) -> None:
    fake_build(tmp_path, {"case.py": b"a", "rules/doctor.py": b"b"}, None)
    (tmp_path / "plain.py").write_bytes(b"")
    assert compiled_modules(tmp_path) == ["case.py", "rules/doctor.py"]


def test_a_build_of_the_current_source_passes(tmp_path: Path) -> None:
    sources = {"case.py": b"x = 1\n", "rules/doctor.py": b"y = 2\n"}
    check_compiled(fake_build(tmp_path, sources, sources))


def test_no_compiled_module_needs_no_manifest(tmp_path: Path) -> None:
    (tmp_path / "case.py").write_bytes(b"x = 1\n")
    check_compiled(tmp_path)


@pytest.mark.parametrize("recorded", [{"case.py": b"x = 0\n", "rules/doctor.py": b"y = 2\n"},
                                      {"rules/doctor.py": b"y = 2\n"}, None])
def test_an_edited_source_or_a_missing_record_refuses_to_start(tmp_path: Path,
                                                               recorded: dict[str, bytes] | None) -> None:
    here = fake_build(tmp_path, {"case.py": b"x = 1\n", "rules/doctor.py": b"y = 2\n"}, recorded)
    with pytest.raises(ImportError, match=r"compiled module\(s\) case\.py(, rules/doctor\.py)? do not match"):
        check_compiled(here)
