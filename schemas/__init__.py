"""Strict request schemas (marshmallow) and the error shapes a 422 is built from."""
from marshmallow import ValidationError

from schemas.errors import metric_pointer, validation_errors
from schemas.fields import StrictBoolean, StrictInteger, StrictList, StrictNumber, StrictString
from schemas.request import ASSESS_REQUEST, REQUEST_POINTERS, AssessRequestSchema

__all__ = [
    "ASSESS_REQUEST",
    "REQUEST_POINTERS",
    "AssessRequestSchema",
    "StrictBoolean",
    "StrictInteger",
    "StrictList",
    "StrictNumber",
    "StrictString",
    "ValidationError",
    "metric_pointer",
    "validation_errors",
]
