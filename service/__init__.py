"""Cramp Advice API."""
__version__ = "1.0.0"
