"""Where each role starts: the route name of its own home page (after login, and on an error page's way
back)."""

from __future__ import annotations

from collections.abc import Set


def landing_page(roles: Set[str]) -> str:
    if {"lead", "admin"} & roles:
        return "campaigns:list"
    if "field" in roles:
        return "field:home"
    if "reviewer" in roles:
        return "decisions:home"
    return "auditee:home" if "auditee" in roles else "campaigns:list"
