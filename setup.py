"""Build hook: the clinical engine compiled by mypyc when a C compiler is at hand.

The engine stays plain, readable Python (the rules a clinical reviewer reads are the source); mypyc
turns the same modules into C extensions, which run the engine in about two thirds of the time
(bench/README.md). Without a compiler, or with CRAMP_COMPILE=0, the pure-Python modules are
installed and answer the same. Each build records the sha256 of every compiled module's source in
service/advice/compiled.json; service/advice/__init__.py refuses to start when a compiled module
no longer matches its source (an edited .py shadowed by a stale build).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
ENGINE = ROOT / "service" / "advice"
MANIFEST = "compiled.json"
# Every engine module but the package's __init__, which holds the staleness check.
COMPILED = sorted(str(p.relative_to(ROOT)) for p in ENGINE.rglob("*.py") if p != ENGINE / "__init__.py")


def source_hashes() -> dict[str, str]:
    return {
        str(Path(path).relative_to(ENGINE.relative_to(ROOT))): hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
        for path in COMPILED
    }


class BuildEngine(build_ext):
    """Builds the extensions (all optional) and writes the manifest; a partial build is undone."""

    def run(self) -> None:
        super().run()
        places = [Path(self.build_lib)]
        if self.inplace or getattr(self, "editable_mode", False):
            places.append(ROOT)
        built = [all(Path(place, self.get_ext_filename(ext.name)).exists() for ext in self.extensions)
                 for place in places]
        for place, complete in zip(places, built):
            manifest = {"sources": source_hashes() if complete and self.extensions else {}}
            if not complete:  # some extension failed: no compiled module at all, the pure engine runs
                for ext in self.extensions:
                    Path(place, self.get_ext_filename(ext.name)).unlink(missing_ok=True)
            target = place / ENGINE.relative_to(ROOT) / MANIFEST
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def remove_compiled() -> None:
    """CRAMP_COMPILE=0 in a tree an earlier install compiled in place: back to the pure modules."""
    for path in [*ENGINE.rglob("*.so"), *ROOT.glob("cramp_engine__mypyc*.so"), ENGINE / MANIFEST]:
        path.unlink(missing_ok=True)


def engine_extensions() -> list:
    if os.environ.get("CRAMP_COMPILE", "1") == "0":
        remove_compiled()
        return []
    from mypyc.build import mypycify  # a build requirement (pyproject.toml)

    extensions = mypycify(COMPILED, opt_level="3", group_name="cramp_engine")
    for extension in extensions:
        extension.optional = True  # no compiler: warn and install the pure modules
    return extensions


setup(ext_modules=engine_extensions(), cmdclass={"build_ext": BuildEngine})
