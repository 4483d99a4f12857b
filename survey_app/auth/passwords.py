"""Password hashing with argon2 (argon2-cffi's defaults: argon2id, RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when the password matches; never raises for a wrong password or a damaged hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """A plain reason why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"at least {MIN_LENGTH} characters"
    if password.strip() != password:
        return "no leading or trailing spaces"
    return None


_DUMMY: dict[str, str] = {}


def verify_unknown(password: str) -> bool:
    """The same work as checking a real account's password (so timing does not tell which usernames exist)."""
    if "hash" not in _DUMMY:
        _DUMMY["hash"] = _hasher.hash("no account has this password")
    verify_password(_DUMMY["hash"], password)
    return False


# letters and digits nobody confuses when reading them out or typing them (no 0/O/o, 1/l/I/i, 5/s, 2/z)
READABLE = "abcdefghjkmnpqrtuvwxy346789"


def temporary() -> str:
    """A temporary password to read out or copy: three groups of four readable characters ("k7mp-4qxr-9tbh",
    about 57 bits)."""
    import secrets

    return "-".join("".join(secrets.choice(READABLE) for _ in range(4)) for _ in range(3))
