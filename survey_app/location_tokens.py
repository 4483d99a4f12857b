"""Location tokens: a random nonce plus a truncated HMAC, short enough to type from a poster.

A tampered or invented token fails the signature check before any database look-up.
(itsdangerous' Signer would give a 27-character signature; 10 bytes of HMAC-SHA256 are plenty here
and keep the printed short URL readable.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_NONCE_BYTES = 9
_SIG_BYTES = 10


def _sign(secret: str, nonce: str) -> str:
    mac = hmac.new(secret.encode(), b"location:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:_SIG_BYTES]).decode().rstrip("=")


def new_nonce() -> str:
    """Return a fresh random nonce (12 URL-safe characters)."""
    return secrets.token_urlsafe(_NONCE_BYTES)


def location_token(secret: str, nonce: str) -> str:
    """Return the public token for a nonce."""
    return f"{nonce}{_sign(secret, nonce)}"


def nonce_from_token(secret: str, token: str) -> str | None:
    """Return the nonce if the token's signature is valid, else None."""
    if len(token) != 12 + 14 or not token.isascii():
        return None
    nonce, sig = token[:12], token[12:]
    return nonce if hmac.compare_digest(sig, _sign(secret, nonce)) else None
