"""Load scheme files (YAML) and report every problem at once, like instrument files."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from forms.problems import ID_PATTERN, Collector, Problem
from grading.schema import DEFAULT_COEFFICIENTS, NA_POLICIES, Bonus, Component, DimensionRule, Scheme, Tier

BUNDLED_DIR = Path(__file__).parent / "schemes"
TOP_KEYS = {
    "id",
    "version",
    "name",
    "source",
    "coefficients",
    "components",
    "tiers",
    "bonus",
    "na_policy",
    "item_na",
    "min_sample",
    "callback_rate",
    "mandatory_level",
    "validity_years",
}
COMPONENT_KEYS = {"id", "label", "max", "pass", "coefficient", "source", "instrument", "dimensions"}
TIER_KEYS = {"id", "label", "min_total", "mandatory", "components_min", "default"}


def _number(out: Collector, path: str, value: Any, *, positive: bool = False) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        out.add(path, f"must be a number, got {value!r}")
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        out.add(path, f"must be a number, got {value!r}")
        return None
    if positive and number <= 0:
        out.add(path, f"must be a positive number, got {value!r}")
        return None
    if number < 0:
        out.add(path, f"must not be negative, got {value!r}")
        return None
    return number


def load_scheme(path: str | Path) -> tuple[Scheme | None, list[Problem]]:
    """Read and validate one scheme file."""
    path = Path(path)
    try:
        return parse_scheme_text(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), "(file)", f"cannot be read as UTF-8 text: {exc}")]


def parse_scheme_text(text: str, *, source: str) -> tuple[Scheme | None, list[Problem]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [
            Problem(source, f"line {mark.line + 1}" if mark else "(file)", f"not valid YAML: {exc}")
        ]
    return parse_scheme(data, source=source)


def load_bundled_schemes() -> dict[str, Scheme]:
    """Every bundled scheme by id; a bundled file with a problem is a packaging bug."""
    found = {}
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        scheme, problems = load_scheme(path)
        if scheme is None:
            raise ValueError("bundled scheme is invalid:\n" + "\n".join(map(str, problems)))
        found[scheme.id] = scheme
    return found


def parse_scheme(data: Any, *, source: str = "<data>") -> tuple[Scheme | None, list[Problem]]:
    """Validate a decoded scheme mapping: (scheme, []) or (None, every problem)."""
    out = Collector(source)
    if not isinstance(data, dict):
        out.add("(top)", "the file must hold a mapping with id, version, name, components and tiers")
        return None, out.problems
    out.unknown_keys("(top)", data, TOP_KEYS)
    if not isinstance(data.get("id"), str) or not data["id"]:
        out.add("id", "id is required")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        out.add("version", "version must be a whole number >= 1")
    name = out.label("name", data.get("name"))
    coefficients: dict[str, tuple[Decimal, ...]] = dict(DEFAULT_COEFFICIENTS)
    for key, values in (data.get("coefficients") or {}).items():
        nums = [_number(out, f"coefficients.{key}[{i}]", v) for i, v in enumerate(values or [])]
        if len(nums) != 5 or None in nums:
            out.add(f"coefficients.{key}", "a coefficient family lists five numbers, for answers 1 to 5")
        else:
            known = [n for n in nums if n is not None]
            if any(n > 1 for n in known) or known != sorted(known):
                out.add(
                    f"coefficients.{key}", "coefficients must rise from answer 1 to 5 and stay within 0..1"
                )
            else:
                coefficients[key] = tuple(known)
    components = _components(out, data.get("components"), coefficients)
    total_max = sum((c.max for c in components), Decimal(0))
    bonus = _bonus(out, data.get("bonus"))
    if bonus:
        total_max += bonus.max
    tiers = _tiers(out, data.get("tiers"), {c.id for c in components}, total_max)
    na_policy = data.get("na_policy", "drop")
    if na_policy not in NA_POLICIES:
        out.add("na_policy", f"must be one of {', '.join(NA_POLICIES)}")
    item_na = data.get("item_na") or {}
    for item, policy in item_na.items():
        if policy not in NA_POLICIES:
            out.add(f"item_na.{item}", f"must be one of {', '.join(NA_POLICIES)}")
    sample = data.get("min_sample") or {}
    mins = {}
    for key in ("per_location", "overall"):
        value = sample.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            out.add(f"min_sample.{key}", "must be a whole number >= 0")
            value = 0
        mins[key] = value
    rate = _number(out, "callback_rate", data.get("callback_rate", "0.10"), positive=True)
    if rate is not None and rate > 1:
        out.add("callback_rate", "a share between 0 and 1, e.g. 0.10")
    level = _number(out, "mandatory_level", data.get("mandatory_level", "0.75"))
    years = data.get("validity_years", 3)
    if not isinstance(years, int) or years < 1:
        out.add("validity_years", "must be a whole number >= 1")
    if out.problems or name is None or rate is None or level is None:
        return None, out.problems
    return Scheme(
        id=data["id"],
        version=int(version or 0),
        name=name,
        source=str(data.get("source", "")),
        components=tuple(components),
        tiers=tuple(tiers),
        coefficients=coefficients,
        na_policy=na_policy,
        item_na=dict(item_na),
        bonus=bonus,
        min_sample_location=mins["per_location"],
        min_sample_overall=mins["overall"],
        callback_rate=rate,
        mandatory_level=level,
        validity_years=int(years),
    ), []


def _components(out: Collector, raw: Any, coefficients: dict[str, Any]) -> list[Component]:
    if not isinstance(raw, list) or not raw:
        out.add("components", "components must be a non-empty list")
        return []
    found: list[Component] = []
    for n, comp in enumerate(raw):
        path = f"components[{n}]"
        if not isinstance(comp, dict):
            out.add(path, "a component is a mapping")
            continue
        out.unknown_keys(path, comp, COMPONENT_KEYS)
        cid = comp.get("id")
        if not isinstance(cid, str) or not ID_PATTERN.match(cid):
            out.add(path, "component id: lower-case letters, digits and '_'")
            continue
        path = f"{path} ({cid})"
        if any(c.id == cid for c in found):
            out.add(path, f"duplicate component id {cid!r}")
        label = out.label(f"{path}.label", comp.get("label"))
        maximum = _number(out, f"{path}.max", comp.get("max"), positive=True)
        default_pass = "pass" not in comp
        pass_mark = _number(out, f"{path}.pass", comp.get("pass", 0)) if not default_pass else None
        if maximum is not None and default_pass:
            pass_mark = (maximum * Decimal("0.7")).quantize(Decimal("0.01"))
        if maximum is not None and pass_mark is not None and pass_mark > maximum:
            out.add(f"{path}.pass", f"pass mark {pass_mark} is above the maximum {maximum}")
        coefficient = comp.get("coefficient", "experience")
        if coefficient not in coefficients:
            out.add(f"{path}.coefficient", f"unknown coefficient family {coefficient!r}")
        source = comp.get("source", "survey")
        if source not in ("survey", "sheet"):
            out.add(f"{path}.source", "source must be survey or sheet")
        instrument = comp.get("instrument")
        if not isinstance(instrument, str) or not instrument:
            out.add(f"{path}.instrument", "name the instrument whose items feed this component")
        dims: list[DimensionRule] = []
        for d, dim in enumerate(comp.get("dimensions") or []):
            dpath = f"{path}.dimensions[{d}]"
            if not isinstance(dim, dict) or not isinstance(dim.get("id"), str):
                out.add(dpath, "a dimension needs an id and a weight")
                continue
            weight = _number(out, f"{dpath} ({dim['id']}).weight", dim.get("weight", 1), positive=True)
            dlabel = out.label(f"{dpath} ({dim['id']}).label", dim.get("label", dim["id"]))
            if any(x.id == dim["id"] for x in dims):
                out.add(dpath, f"duplicate dimension {dim['id']!r}")
            if weight is not None and dlabel is not None:
                dims.append(DimensionRule(dim["id"], dlabel, weight))
        if not dims:
            out.add(f"{path}.dimensions", "a component needs at least one weighted dimension")
        if label and maximum is not None and pass_mark is not None and dims:
            found.append(
                Component(
                    cid,
                    label,
                    maximum,
                    pass_mark,
                    coefficient,
                    source,
                    str(instrument),
                    tuple(dims),
                    pass_mark_is_default=default_pass,
                )
            )
    return found


def _bonus(out: Collector, raw: Any) -> Bonus | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        out.add("bonus", "bonus is a mapping with max and items")
        return None
    maximum = _number(out, "bonus.max", raw.get("max"), positive=True)
    items = {}
    for item, points in (raw.get("items") or {}).items():
        value = _number(out, f"bonus.items.{item}", points, positive=True)
        if value is not None:
            items[str(item)] = value
    return Bonus(maximum, items) if maximum is not None else None


def _tiers(out: Collector, raw: Any, component_ids: set[str], total_max: Decimal) -> list[Tier]:
    if not isinstance(raw, list) or not raw:
        out.add("tiers", "tiers must be a non-empty list, highest first")
        return []
    tiers: list[Tier] = []
    for n, tier in enumerate(raw):
        path = f"tiers[{n}]"
        if not isinstance(tier, dict) or not isinstance(tier.get("id"), str):
            out.add(path, "a tier needs an id, a label and min_total")
            continue
        path = f"{path} ({tier['id']})"
        out.unknown_keys(path, tier, TIER_KEYS)
        label = out.label(f"{path}.label", tier.get("label"))
        minimum = _number(out, f"{path}.min_total", tier.get("min_total"))
        if minimum is not None and total_max and minimum > total_max:
            out.add(f"{path}.min_total", f"{minimum} is above the highest possible total {total_max}")
        comp_min = {}
        for cid, value in (tier.get("components_min") or {}).items():
            if cid not in component_ids:
                out.add(f"{path}.components_min", f"unknown component {cid!r}")
            number = _number(out, f"{path}.components_min.{cid}", value)
            if number is not None:
                comp_min[cid] = number
        if tiers and minimum is not None and minimum >= tiers[-1].min_total:
            out.add(
                f"{path}.min_total",
                "tiers are out of order: list them highest first, each below the one before",
            )
        if label and minimum is not None:
            tiers.append(
                Tier(
                    tier["id"],
                    label,
                    minimum,
                    tuple(tier.get("mandatory") or ()),
                    comp_min,
                    is_default=bool(tier.get("default")),
                )
            )
    return tiers


def compatibility_problems(scheme: Scheme, dimensions_by_instrument: dict[str, set[str]]) -> list[str]:
    """Problems between a scheme and the instruments it grades (weights that match no dimension...)."""
    problems = []
    for comp in scheme.components:
        dims = dimensions_by_instrument.get(comp.instrument)
        if dims is None:
            continue
        weighted = {d.id for d in comp.dimensions}
        for missing in sorted(weighted - dims):
            problems.append(
                f"{comp.id}: weight for {missing!r}, which instrument {comp.instrument} does not have"
            )
        for unweighted in sorted(dims - weighted):
            if unweighted == "bonus" and scheme.bonus is not None:
                continue  # bonus items sit apart from the weighted dimensions (e.g. zero-carbon, L908)
            problems.append(
                f"{comp.id}: instrument {comp.instrument} has dimension {unweighted!r} with no weight"
            )
    return problems
