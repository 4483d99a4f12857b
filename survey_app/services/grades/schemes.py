"""Certification schemes in the database, registered from the bundled scheme files (grading/schemes/)."""

from __future__ import annotations

import yaml
from sqlmodel import Session, select

from grading.loader import BUNDLED_DIR, parse_scheme
from grading.schema import Scheme
from survey_app.errors import NotFound
from survey_app.models import Campaign, StoredScheme


def ensure_schemes(*, session: Session) -> dict[str, StoredScheme]:
    """Store each bundled scheme file; a newer bundled version replaces the stored rules (a locked grade keeps
    the rules it was computed with in its snapshot), and a placeholder row without rules gets its rules."""
    found = {s.code: s for s in session.exec(select(StoredScheme))}
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        row = found.get(data["id"])
        if row is None:
            row = StoredScheme(
                code=data["id"],
                version=data["version"],
                name_zh=data["name"]["zh"],
                name_en=data["name"].get("en", ""),
                definition=data,
            )
            session.add(row)
            found[row.code] = row
        elif "components" not in row.definition or data["version"] > row.version:
            row.definition, row.version = data, data["version"]
            session.add(row)
    session.flush()
    return found


def scheme_rules(row: StoredScheme) -> Scheme:
    """The validated rules of a stored scheme."""
    rules, problems = parse_scheme(row.definition, source=f"scheme:{row.code}")
    if rules is None:
        raise ValueError("stored scheme does not validate: " + "; ".join(map(str, problems)))
    return rules


def campaign_rules(*, session: Session, campaign: Campaign) -> Scheme:
    """The validated rules of the scheme a campaign runs under."""
    row = session.get(StoredScheme, campaign.scheme_id)
    if row is None:
        raise NotFound("campaign_not_found")
    return scheme_rules(row)
