"""Same questions, two checkouts: do they give the same answers?

For a change that must not change any answer (a refactor, a speed-up), or to list exactly which
answers a clinical change moves. Requests come from the public vignettes and from the request
strategies in tests/strategies.py with hypothesis derandomised (a fixed seed), so two runs generate
the same requests. Each checkout answers them through its own Flask app (schema, engine, JSON), and
the answers are compared with `assessment_id` and `evaluated_at` left out.

    .venv/bin/python tests/tools/answers.py generate --count 3000 --out /tmp/requests.jsonl
    (cd OTHER_CHECKOUT && .venv/bin/python $PWD/tests/tools/answers.py assess \
        --requests /tmp/requests.jsonl --out /tmp/before.jsonl)
    .venv/bin/python tests/tools/answers.py assess --requests /tmp/requests.jsonl --out /tmp/after.jsonl
    .venv/bin/python tests/tools/answers.py diff /tmp/before.jsonl /tmp/after.jsonl

`assess` imports the `service` package the running interpreter finds, so run it with each
checkout's own virtualenv from inside that checkout.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
VOLATILE = ("assessment_id", "evaluated_at")


def generate(count: int) -> list[dict[str, Any]]:
    import schemas  # noqa: F401 - the installed package first: the folder tests/schemas must not stand in for it

    sys.path.append(str(TESTS))
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from strategies import sparse_requests, valid_requests

    vignettes = json.loads((TESTS / "fixtures" / "vignettes-public.json").read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = [case["request"] for case in vignettes]

    @settings(max_examples=count, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(st.one_of(valid_requests, sparse_requests))
    def collect(request: dict[str, Any]) -> None:
        found.append(request)

    collect()
    return found


def assess(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from service.app import create_app
    from service.config import Settings

    client = create_app(Settings()).test_client()
    answers = []
    with contextlib.redirect_stdout(io.StringIO()):  # the service's request log lines
        for body in requests:
            response = client.post("/assess", json=body, headers={"Accept": "application/json"})
            answer = response.get_json()
            for key in VOLATILE:
                answer.pop(key, None)
            answers.append({"status": response.status_code, "answer": answer})
    return answers


def differences(before: list[dict[str, Any]], after: list[dict[str, Any]], ignore: tuple[str, ...] = ()
                ) -> list[tuple[int, list[str]]]:
    """(index, what changed) for every answer that differs outside the `ignore`d top-level keys: the
    level, and the ids added (+) or dropped (-) in each list of the answer, or just the key's name."""
    if len(before) != len(after):
        raise SystemExit(f"different numbers of answers: {len(before)} and {len(after)}")
    changed = []
    for index, (old, new) in enumerate(zip(before, after)):
        if old["status"] != new["status"]:
            changed.append((index, [f"status {old['status']} -> {new['status']}"]))
            continue
        notes = [_what_changed(key, old["answer"].get(key), new["answer"].get(key))
                 for key in sorted({*old["answer"], *new["answer"]} - set(ignore))
                 if old["answer"].get(key) != new["answer"].get(key)]
        if notes:
            changed.append((index, notes))
    return changed


def _ids(items: Any) -> list[str]:
    return [item.get("id") or item.get("field") or item.get("code") or "?" for item in items or ()]


def _what_changed(key: str, old: Any, new: Any) -> str:
    if key == "disposition":
        level = f"{old['level']} -> {new['level']}" if old["level"] != new["level"] else old["level"]
        return f"disposition {level}"
    if isinstance(old, list) and isinstance(new, list):
        before, after = _ids(old), _ids(new)
        added = [f"+{i}" for i in after if i not in before]
        dropped = [f"-{i}" for i in before if i not in after]
        return f"{key} {' '.join(added + dropped) or '(same ids, other content)'}"
    return key


def _read_lines(path: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line]


def _write_lines(path: str, items: list[dict[str, Any]]) -> None:
    Path(path).write_text("".join(json.dumps(item, sort_keys=True) + "\n" for item in items), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate", help="the public vignettes and COUNT generated requests")
    make.add_argument("--count", type=int, default=3000)
    make.add_argument("--out", required=True)
    answer = commands.add_parser("assess", help="answer every request with this checkout's service")
    answer.add_argument("--requests", required=True)
    answer.add_argument("--out", required=True)
    compare = commands.add_parser("diff", help="compare two answer files; exit 1 when any answer differs")
    compare.add_argument("before")
    compare.add_argument("after")
    compare.add_argument("--ignore", action="append", default=[],
                         help="a top-level answer key to leave out (e.g. knowledge_base after a content change)")
    args = parser.parse_args(argv)
    if args.command == "generate":
        requests = generate(args.count)
        _write_lines(args.out, requests)
        print(f"{len(requests)} requests written to {args.out}")
    elif args.command == "assess":
        answers = assess(_read_lines(args.requests))
        _write_lines(args.out, answers)
        print(f"{len(answers)} answers written to {args.out}")
    else:
        changed = differences(_read_lines(args.before), _read_lines(args.after), tuple(args.ignore))
        total = len(_read_lines(args.before))
        for index, notes in changed:
            print(f"request {index}: {'; '.join(notes)}")
        print(f"answers compared: {total}, identical: {total - len(changed)}, different: {len(changed)}")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
