"""HTTP layer: Flask blueprints, strict JSON bodies and one problem+json path for every error."""
