"""Message signing and request-field helpers for the agent's control protocol (PROTOCOL.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any


class RequestError(Exception):
    """A request that cannot be served; its message becomes the reply's ``error``."""


class Signer:
    """Signs and verifies message bodies: lowercase hex HMAC-SHA256, empty when the key is empty."""

    def __init__(self, key: bytes):
        self._key = key

    def sign(self, body: bytes) -> bytes:
        """Return the signature frame for ``body``."""
        if not self._key:
            return b""
        return hmac.new(self._key, body, hashlib.sha256).hexdigest().encode("ascii")

    def verify(self, signature: bytes, body: bytes) -> bool:
        """True when ``signature`` is the signature of ``body`` (constant-time comparison)."""
        return hmac.compare_digest(self.sign(body), signature)


def encode(message: dict[str, Any]) -> bytes:
    """Serialise a reply or event body as compact UTF-8 JSON."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def require_str(request: dict[str, Any], field: str, *, allow_empty: bool = False) -> str:
    """Return ``request[field]`` if it is a string (non-empty unless allowed), else refuse."""
    value = request.get(field)
    if not isinstance(value, str):
        raise RequestError(f"'{field}' is required and must be a string")
    if not value and not allow_empty:
        raise RequestError(f"'{field}' must not be empty")
    return value


def optional_bool(request: dict[str, Any], field: str, default: bool = False) -> bool:
    """Return ``request[field]`` as a bool; a missing field gives ``default``."""
    value = request.get(field, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise RequestError(f"'{field}' must be true or false")
    return value


def string_map(request: dict[str, Any], field: str) -> dict[str, str]:
    """Return ``request[field]`` as a dict of strings (missing -> empty); name the bad key if any."""
    value = request.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RequestError(f"'{field}' must be an object of strings")
    for key, item in value.items():
        if not isinstance(item, str):
            raise RequestError(f"'{field}' value for {key!r} must be a string")
    return dict(value)
