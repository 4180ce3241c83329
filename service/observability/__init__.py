"""Observability wraps the HTTP layer: request ids, one JSON log line per request, metrics."""
