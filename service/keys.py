"""Make an API key for a calling app: prints the key once (give it to the app) and the
CRAMP_API_KEYS entry (configure the service with it). The service never stores the key itself.

    python -m service.keys portal-a
"""
from __future__ import annotations

import secrets
import sys

from service.http.security import key_hash


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    key = secrets.token_urlsafe(32)
    print(f"key (give to the calling app, shown once): {key}")
    print(f"CRAMP_API_KEYS entry: {argv[0]}:{key_hash(key)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
