"""A representative mix of /assess bodies: self-care, urgent, emergency, sparse, medication-heavy."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_VIGNETTES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "vignettes-public.json"

MEDICATION_HEAVY: dict[str, Any] = {
    "person": {"age": 78, "sex": "female"},
    "cramp": {"locations": ["calf", "foot"], "side": "both", "timing": ["night"], "duration_minutes": 4,
              "episodes_per_week": 5},
    "context": {"sleep_disturbed": True, "fluid_restriction": True},
    "conditions": ["heart_failure", "ckd", "diabetes", "hypertension", "atrial_fibrillation"],
    "medications": [{"name": n} for n in (
        "furosemide 40 mg", "spironolactone 25mg", "ramipril 5 mg", "bisoprolol 2.5mg", "apixaban 5 mg",
        "atorvastatin 20 mg", "metformin 500mg", "insulin glargine", "amlodipine 10 mg", "omeprazole",
        "salbutamol inhaler", "Seretide 250 Evohaler")],
    "asks_about": ["magnesium", "potassium"],
}


def mix() -> list[dict[str, Any]]:
    """Every public vignette request plus a sparse and a medication-heavy one."""
    cases = json.loads(_VIGNETTES.read_text(encoding="utf-8"))
    return [c["request"] for c in cases] + [{}, MEDICATION_HEAVY]
