"""Static checks of the container recipe: no Docker engine is needed (or available).

hadolint lints it; the rest reads the Dockerfile and .dockerignore and asserts what
the image must be: pinned slim base, multi-stage wheel build, numeric non-root user,
exec-form gunicorn CMD, no build tools at run time, writable /metrics without a
writable root filesystem, and a build context that carries only the project.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tooling import find_tool

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

BASE_IMAGE = re.compile(r"^python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$")
EXPECTED_CMD = ["gunicorn", "-c", "gunicorn.conf.py", "service.wsgi:app"]
APP_UID = 10001  # agreed in the ops spec; the Kubernetes manifests use the same id
BUILD_TOOLS = re.compile(
    r"(?<![\w.-])(gcc|g\+\+|cc|clang|build-essential|make|cmake|python3?-dev|"
    r"libc6?-dev|linux-libc-dev|cargo|rustc)(?![\w.-])"
)


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass(frozen=True)
class Stage:
    image: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_instructions(text: str) -> list[Instruction]:
    """Instructions with continuations joined and comment lines dropped, as Docker does."""
    instructions: list[Instruction] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer.append(stripped[:-1].strip())
            continue
        buffer.append(stripped)
        joined = " ".join(part for part in buffer if part)
        keyword, _, args = joined.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        buffer = []
    assert not buffer, "Dockerfile ends inside a line continuation"
    return instructions


def expand(value: str, variables: dict[str, str]) -> str:
    """Substitute $VAR / ${VAR} from the global ARG defaults."""
    return re.sub(
        r"\$\{(\w+)\}|\$(\w+)",
        lambda m: variables.get(m.group(1) or m.group(2), m.group(0)),
        value,
    )


def parse_stages(text: str) -> list[Stage]:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    current: tuple[str, str | None, list[Instruction]] | None = None
    for instruction in parse_instructions(text):
        if instruction.keyword == "FROM":
            if current:
                stages.append(Stage(current[0], current[1], tuple(current[2])))
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            current = (expand(words[0], global_args), name, [])
        elif current is None:
            if instruction.keyword == "ARG" and "=" in instruction.args:
                key, _, value = instruction.args.partition("=")
                global_args[key.strip()] = value.strip().strip('"')
        else:
            current[2].append(instruction)
    assert current, "Dockerfile has no FROM"
    stages.append(Stage(current[0], current[1], tuple(current[2])))
    return stages


def env_of(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in stage.all("ENV"):
        words = shlex.split(instruction.args)
        if words and "=" not in words[0]:  # legacy `ENV KEY value`
            env[words[0]] = " ".join(words[1:])
            continue
        for word in words:
            key, _, value = word.partition("=")
            env[key] = value
    return env


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    """The Dockerfile's build stages, in order."""
    return parse_stages(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def final(stages: list[Stage]) -> Stage:
    """The stage that becomes the image."""
    return stages[-1]


def test_hadolint_passes(tmp_path: Path) -> None:
    hadolint = find_tool("hadolint")
    # Run outside the repo with an empty HOME so no config file can ignore rules;
    # every level (down to style) fails the check.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_hadolint_ignore_pragma_is_justified() -> None:
    lines = DOCKERFILE.read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"\s*#\s*hadolint\s+(global\s+)?ignore", line):
            previous = lines[index - 1].strip() if index else ""
            assert previous.startswith("#") and "hadolint" not in previous, (
                f"line {index + 1}: an ignore pragma needs a comment above it saying why"
            )


def test_build_is_multi_stage_wheels_from_pyproject(stages: list[Stage], final: Stage) -> None:
    assert len(stages) >= 2
    builder = next(s for s in stages if s.name == "builder")
    copied = " ".join(i.args for i in builder.all("COPY"))
    assert "pyproject.toml" in copied
    assert any(re.search(r"\bpip\s+wheel\b", i.args) for i in builder.all("RUN"))
    installs = [i.args for i in final.all("RUN") if re.search(r"\bpip\s+install\b", i.args)]
    assert installs, "final stage must install the builder's wheels"
    for args in installs:
        assert "--no-index" in args, "final stage must install only the built wheels"
        assert "from=builder" in args or "/wheels" in args
    assert any("from=builder" in i.args for i in final.all("RUN") + final.all("COPY"))


def test_base_images_are_pinned_python_311_slim_bookworm(stages: list[Stage]) -> None:
    names = {s.name for s in stages if s.name}
    external = [s.image for s in stages if s.image not in names]
    assert external
    for image in external:
        assert BASE_IMAGE.match(image), f"unpinned or unexpected base image {image!r}"
    assert len(set(external)) == 1, "builder and runtime must share one Python build"


def test_final_stage_runs_as_numeric_non_root_user(final: Stage) -> None:
    users = final.all("USER")
    assert users, "final stage must set USER"
    user = users[-1].args
    assert re.fullmatch(r"\d+(:\d+)?", user), f"USER {user!r} must be numeric uid[:gid]"
    uid, _, gid = user.partition(":")
    assert int(uid) == APP_UID
    assert not gid or int(gid) == APP_UID


def test_cmd_is_exec_form_gunicorn_with_repo_config(final: Stage) -> None:
    cmds = final.all("CMD")
    assert cmds
    assert json.loads(cmds[-1].args) == EXPECTED_CMD
    for entrypoint in final.all("ENTRYPOINT"):
        assert isinstance(json.loads(entrypoint.args), list)
    copied = [i.args.split() for i in final.all("COPY")]
    # Read from the working directory at start: the CMD's config, and the contract
    # that service/http/docs.py serves (the app will not start without it).
    for needed in ("gunicorn.conf.py", "openapi.yaml"):
        assert any(needed in words[:-1] for words in copied), f"{needed} not in the image"


def test_final_stage_has_no_build_tools(final: Stage) -> None:
    for instruction in final.all("RUN"):
        match = BUILD_TOOLS.search(instruction.args)
        assert not match, f"line {instruction.line}: {match.group(0)} in the final stage"
    for instruction in final.all("COPY"):
        assert "--from=builder" not in instruction.args or "/wheels" not in instruction.args, (
            "copying wheels leaves them in a layer; bind-mount them instead"
        )


def test_runtime_environment(final: Stage) -> None:
    env = env_of(final)
    assert env.get("PYTHONUNBUFFERED") == "1"
    assert env.get("PROMETHEUS_MULTIPROC_DIR") == "/metrics"
    assert env.get("BIND") == "0.0.0.0:8000"
    assert env.get("METRICS_BIND") == "0.0.0.0:9100"
    exposed = {p for i in final.all("EXPOSE") for p in i.args.split()}
    assert {"8000", "9100"} <= exposed


def test_metrics_dir_is_writable_without_writable_root(final: Stage) -> None:
    runs = " ".join(i.args for i in final.all("RUN"))
    created = rf"install\s+-d\s+[^&;]*-o\s+{APP_UID}\b[^&;]*\s/metrics\b"
    chowned = rf"chown\s+[^&;]*{APP_UID}[^&;]*\s/metrics\b"
    owned = re.search(created, runs) or re.search(chowned, runs)
    assert owned, "/metrics must exist and belong to the app user"
    volumes = " ".join(i.args for i in final.all("VOLUME"))
    assert "/metrics" in volumes, "/metrics must be a volume so --read-only still works"


# --- .dockerignore -------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker/Go filepath.Match plus `**`, as a regex over slash-separated paths."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
                out += "(?:.*/)?"
            else:
                out += ".*"
            continue
        char = pattern[i]
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            out += "[" + ("^" + body[1:] if body[:1] in "!^" and body else body) + "]"
            i = end
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out + r"\Z")


def dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((negated, _pattern_regex(pattern)))
    return rules


def is_ignored(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Last matching rule wins; a rule matching a parent directory matches the path."""
    parts = path.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for negated, regex in rules:
        if any(regex.match(c) for c in candidates):
            ignored = not negated
    return ignored


def context_sources(stages: list[Stage]) -> list[str]:
    """Paths that COPY/ADD take from the build context (not from another stage)."""
    sources = []
    for stage in stages:
        for instruction in stage.all("COPY") + stage.all("ADD"):
            words = instruction.args.split()
            if any(w.startswith("--from=") for w in words):
                continue
            sources += [w.rstrip("/") for w in words if not w.startswith("--")][:-1]
    return sources


def test_dockerignore_keeps_out_local_state() -> None:
    rules = dockerignore_rules()
    for path in (
        ".git/config",
        ".venv/bin/python",
        "tests/deploy/test_dockerfile.py",
        "k8s/base/deployment.yaml",
        ".ci/run",
        "service/__pycache__/wsgi.cpython-311.pyc",
        "service/content/__init__.pyc",
        ".env",
    ):
        assert is_ignored(path, rules), f"{path} would be sent to the builder"


def test_dockerignore_keeps_everything_the_build_copies(stages: list[Stage]) -> None:
    rules = dockerignore_rules()
    sources = context_sources(stages)
    assert {"pyproject.toml", "gunicorn.conf.py", "openapi.yaml"} <= set(sources)
    for source in sources:
        path = ROOT / source
        assert path.exists(), f"COPY source {source} is missing from the repo"
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            relative = file.relative_to(ROOT).as_posix()
            if "__pycache__" in relative or relative.endswith(".pyc"):
                continue
            assert not is_ignored(relative, rules), f"{relative} is excluded by .dockerignore"
