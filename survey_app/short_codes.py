"""Short codes people read aloud or type: receipts ("K7M-4QX") and poster codes (/q/K7M4QX).

The alphabet leaves out look-alikes (0/O, 1/I/L) and is read case-insensitively. Six characters give
31^6 = 887,503,681 codes: a receipt only names a response to the callback desk (opening its thank-you page
also needs the poster's signed token), and a poster code only opens a public survey, like scanning the poster;
at 100,000 of them a random guess hits one in about 8,900 tries, and every miss is a plain 404.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
_READ_AS = {"O": "0", "I": "1", "L": "1"}  # look-alikes typed by mistake never match (0 and 1 are not used)


def new_code() -> str:
    """A fresh random code, ungrouped (e.g. K7M4QX)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """K7M4QX -> K7M-4QX (how it is printed and read aloud)."""
    return f"{code[:3]}-{code[3:]}" if len(code) == LENGTH else code


def normalise(text: str) -> str | None:
    """What a person typed, as the stored ungrouped code; None when it cannot be one."""
    code = "".join(text.split()).replace("-", "").upper()[: LENGTH + 4]
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def receipt_key(text: str) -> str:
    """A typed receipt as stored: 'k7m 4qx' -> 'K7M-4QX' (older receipts such as r-1a2b... as they are)."""
    code = normalise(text)
    return grouped(code) if code else text.strip()[:40]
