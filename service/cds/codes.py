"""Code syntax of the systems the CDS content maps, with check digits where the system has one.

A check digit does not prove a code means what the content says, but it catches the commonest slip
(a mistyped digit) before a wrong code silently matches nothing, or something else.
"""
from __future__ import annotations

import re

SYSTEM_NAMES = ("snomed", "icd10", "icd10cm", "rxnorm", "atc", "dmd", "loinc")

_SYNTAX = {
    # ICD-10 prefixes may be a chapter letter ("C"), a category ("N18") or a subcategory ("N18.3").
    "icd10": re.compile(r"^[A-Z]([0-9]{2}(\.[0-9A-Z]{1,4})?)?$"),
    "icd10cm": re.compile(r"^[A-Z]([0-9]{2}(\.[0-9A-Z]{1,4})?)?$"),
    # ATC levels: A, A10, A10B, A10BA, A10BA02.
    "atc": re.compile(r"^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$"),
    "loinc": re.compile(r"^[0-9]{1,7}-[0-9]$"),
    "snomed": re.compile(r"^[1-9][0-9]{5,17}$"),
}

# Verhoeff tables (dihedral group D5), as SNOMED CT's identifier check digit uses them.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_ok(number: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(number)):
        check = _D[check][_P[position % 8][int(digit)]]
    return check == 0


def loinc_ok(code: str) -> bool:
    """LOINC's mod-10 check digit: double every other digit from the right, sum the digits."""
    body, _, check = code.partition("-")
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10 == int(check)


def code_ok(system: str, code: str) -> bool:
    syntax = _SYNTAX.get(system)
    if syntax is None or not syntax.match(code):
        return False
    if system == "snomed":
        return verhoeff_ok(code)
    if system == "loinc":
        return loinc_ok(code)
    return True


def normalise(code: str) -> str:
    """ICD-10 codes compared without the dot and in upper case ("n18.3" and "N183" are one code)."""
    return code.replace(".", "").upper()
