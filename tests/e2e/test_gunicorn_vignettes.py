"""The public clinical cases against a real gunicorn, scored by the shared black-box tool."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server import ROOT, GunicornServer

pytestmark = pytest.mark.e2e
TOOL = ROOT.parent / "shared" / "tools" / "vignettes.py"


@pytest.mark.skipif(not TOOL.exists(), reason="shared/tools/vignettes.py sits beside the checkout")
def test_public_vignettes_pass_under_gunicorn(tmp_path: Path) -> None:
    with GunicornServer(tmp_path) as server:
        result = subprocess.run(
            [sys.executable, str(TOOL), "--url", server.url, "--cases", str(ROOT / "tests/fixtures/vignettes-public.json")],
            capture_output=True, text=True, timeout=120,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "20/20 pass" in result.stdout
