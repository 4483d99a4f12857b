"""Validation of one item mapping inside an instrument file."""

from __future__ import annotations

from typing import Any

from forms.problems import ID_PATTERN, Collector
from forms.schema import ITEM_TYPES, ROLES, Item, Option

ITEM_KEYS = {
    "id", "type", "label", "required", "na", "dimension", "weight", "reverse", "pair", "relevant",
    "options", "min", "max", "max_length", "format", "role", "covert", "hint", "constraint_message",
    "required_message", "step", "choice_filter", "calculation",
}  # fmt: skip
# integer: a whole number (XLSForm's integer); range: a number on a scale from min to max by step
FORMATS = {"text": ("phone",), "number": ("integer", "range")}


def parse_item(
    out: Collector,
    path: str,
    raw: Any,
    dimension_ids: set[str],
    earlier: set[str],
    seen: dict[str, str],
    roles: dict[str, str],
    repeated: frozenset[str] = frozenset(),
) -> Item | None:
    """Validate one item; record every problem and return the item only when it is sound. `repeated`: the
    repeats that have ended and their questions (what count(), sum(), max() and min() may read)."""
    if not isinstance(raw, dict):
        out.add(path, "an item must be a mapping with id, type and label")
        return None
    before = len(out.problems)
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
        out.add(path, "item id must start with a letter and use lower-case letters, digits and '_'")
        item_id = None
    else:
        path = f"{path} ({item_id})"
        if item_id in seen:
            out.add(path, f"duplicate id {item_id!r} (first used at {seen[item_id]})")
        else:
            seen[item_id] = path.rsplit(" (", 1)[0]
    out.unknown_keys(path, raw, ITEM_KEYS)
    kind = raw.get("type")
    if kind not in ITEM_TYPES:
        out.add(f"{path}.type", f"unknown type {kind!r}; use one of {', '.join(ITEM_TYPES)}")
    label = out.label(f"{path}.label", raw.get("label"))
    hint = out.label(f"{path}.hint", raw["hint"]) if "hint" in raw else None
    messages = {
        key: out.label(f"{path}.{key}", raw[key]) if key in raw else None
        for key in ("constraint_message", "required_message")
    }
    for flag in ("required", "na", "reverse", "covert"):
        if flag in raw and not isinstance(raw[flag], bool):
            out.add(f"{path}.{flag}", f"{flag} must be true or false")
    dimension = raw.get("dimension")
    if dimension is not None and dimension not in dimension_ids:
        out.add(f"{path}.dimension", f"unknown dimension {dimension!r}")
    weight = raw.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
        out.add(f"{path}.weight", f"weight must be a positive number, got {weight!r}")
    if raw.get("reverse") and kind != "likert5":
        out.add(f"{path}.reverse", "reverse applies to likert5 items only")
    if dimension is not None and kind not in ("likert5", "yesno"):
        out.add(f"{path}.dimension", "only likert5 and yesno items feed a dimension")
    relevant = (
        out.relevant(f"{path}.relevant", raw["relevant"], earlier, repeated) if "relevant" in raw else None
    )
    calculation = _calculation(out, path, kind, raw.get("calculation"), earlier, repeated)
    options = _options(out, path, kind, raw.get("options"))
    cascade = _cascade(out, path, raw.get("choice_filter"), options, earlier)
    lo, hi = raw.get("min"), raw.get("max")
    for key, val in (("min", lo), ("max", hi)):
        if val is not None and (
            kind != "number" or isinstance(val, bool) or not isinstance(val, int | float)
        ):
            out.add(f"{path}.{key}", f"{key} must be a number and applies to number items only")
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
        out.add(path, f"min {lo} is greater than max {hi}")
    step = raw.get("step")
    if step is not None and (
        kind != "number" or isinstance(step, bool) or not isinstance(step, int | float) or not step > 0
    ):
        out.add(f"{path}.step", "step must be a positive number on a number item")
    if raw.get("format") == "range" and (lo is None or hi is None):
        out.add(f"{path}.format", "a range needs min and max")
    max_length = raw.get("max_length")
    if max_length is not None and (kind != "text" or not isinstance(max_length, int) or max_length < 1):
        out.add(f"{path}.max_length", "max_length must be a positive whole number on a text item")
    fmt = raw.get("format")
    if fmt is not None and fmt not in FORMATS.get(str(kind), ()):
        out.add(f"{path}.format", "format must be phone on a text item or integer on a number item")
    role = raw.get("role")
    if role is not None:
        _check_role(out, path, role, kind, item_id, relevant, roles)
    if len(out.problems) > before or item_id is None or label is None:
        return None
    return Item(
        id=item_id,
        type=str(kind),
        label=label,
        required=raw.get("required", True) and kind not in ("note", "calculate"),  # never answered by hand
        na=raw.get("na", False),
        dimension=dimension,
        weight=float(weight),
        reverse=raw.get("reverse", False),
        pair=raw.get("pair"),
        relevant=relevant,
        options=options,
        min=lo,
        max=hi,
        max_length=max_length,
        step=step,
        format=fmt,
        role=role,
        covert=raw.get("covert"),
        hint=hint,
        choice_filter=cascade,
        calculation=calculation,
        constraint_message=messages["constraint_message"],
        required_message=messages["required_message"],
    )


def _options(out: Collector, path: str, kind: Any, raw: Any) -> tuple[Option, ...]:
    if kind not in ("single", "multi"):
        if raw is not None:
            out.add(f"{path}.options", "options apply to single and multi items only")
        return ()
    if not isinstance(raw, list) or len(raw) < 2:
        out.add(f"{path}.options", "a choice item needs a list of at least two options")
        return ()
    options: list[Option] = []
    for n, opt in enumerate(raw):
        where = f"{path}.options[{n}]"
        if not isinstance(opt, dict) or not isinstance(opt.get("value"), str | int):
            out.add(where, "an option needs a value and a label")
            continue
        out.unknown_keys(where, opt, {"value", "label", "attrs"})
        attrs = opt.get("attrs") or {}
        if not isinstance(attrs, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in attrs.items()
        ):
            out.add(where, "attrs must map a column name to its text")
            attrs = {}
        value = str(opt["value"])
        if any(o.value == value for o in options):
            out.add(where, f"duplicate option value {value!r}")
        label = out.label(f"{where}.label", opt.get("label"))
        if label:
            options.append(Option(value, label, tuple(sorted(attrs.items()))))
    return tuple(options)


def _calculation(
    out: Collector, path: str, kind: Any, raw: Any, earlier: set[str], repeated: frozenset[str]
) -> str | None:
    """A calculate item's expression: arithmetic and value functions over earlier answers only."""
    from forms.expressions import ExpressionError, compile_expression

    if kind != "calculate":
        if raw is not None:
            out.add(f"{path}.calculation", "calculation applies to calculate items only")
        return None
    if not isinstance(raw, str) or not raw.strip():
        out.add(f"{path}.calculation", "a calculate item needs its calculation")
        return None
    try:
        expr = compile_expression(raw.strip(), calculation=True)
    except ExpressionError as exc:
        out.add(f"{path}.calculation", f"bad calculation: {exc}")
        return None
    for name in sorted(expr.names - earlier):
        out.add(f"{path}.calculation", f"bad calculation reference: {name!r} is not an earlier item")
    for name in sorted(expr.aggregated - repeated):
        out.add(
            f"{path}.calculation", f"bad calculation reference: {name!r} is not a repeat that comes before"
        )
    return raw.strip()


def _cascade(
    out: Collector, path: str, raw: Any, options: tuple[Option, ...], earlier: set[str]
) -> tuple[tuple[str, str], ...]:
    """A cascading select's filter: a mapping of choice columns to earlier questions."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw or not all(isinstance(v, str) for v in raw.values()):
        out.add(f"{path}.choice_filter", "choice_filter must map a choice column to an earlier question")
        return ()
    for column, question in raw.items():
        if question not in earlier:
            out.add(f"{path}.choice_filter", f"{question!r} is not an earlier question")
        if options and column != "name" and not any(o.attr(column) for o in options):
            out.add(f"{path}.choice_filter", f"no option has a value in column {column!r}")
    return tuple(sorted(raw.items()))


def _check_role(
    out: Collector,
    path: str,
    role: Any,
    kind: Any,
    item_id: str | None,
    relevant: str | None,
    roles: dict[str, str],
) -> None:
    if role not in ROLES:
        out.add(f"{path}.role", f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        return
    if role in roles:
        out.add(f"{path}.role", f"role {role!r} is already taken by item {roles[role]!r}")
    roles[role] = item_id or "?"
    expected = {"comment": "text", "contact_consent": "yesno", "contact_phone": "text"}[role]
    if kind != expected:
        out.add(f"{path}.role", f"an item with role {role!r} must have type {expected}")
    if role == "contact_phone":
        consent = roles.get("contact_consent")
        if consent is None or relevant is None or consent not in relevant:
            out.add(
                f"{path}.relevant",
                "a contact phone must only be asked after consent: add a contact_consent item before it "
                "and make this item relevant on it (e.g. consent == 'yes')",
            )
