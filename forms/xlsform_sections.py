"""The rows of an XLSForm's survey sheet walked into sections: groups become sections (a group inside a group
is merged into the outer one), a repeat its own repeat section (splitting the group around it), questions
become items with their group's conditions, names become ids of ours; every problem is reported by row."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from forms.expressions import compile_expression
from forms.numbers import whole_number
from forms.problems import Problem
from forms.schema import REPEAT_MAX
from forms.xlsform_items import METADATA, label_columns, normal_type, question, text_of
from forms.xlsform_sheets import Sheet
from forms.xpath import REPEATED, XPathError, to_expression


def read_sections(
    sheet: Sheet,
    choices: dict[str, list[dict[str, Any]]],
    kind_of_form: str,
    problem: Any,
    note: Callable[[Problem], None],
    source: str,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The survey sheet's sections (as instrument mappings) and the dimensions its questions feed."""
    labels = label_columns(sheet.columns, "label")
    hints = {
        key: label_columns(sheet.columns, key) for key in ("hint", "constraint_message", "required_message")
    }
    ids: dict[str, str] = {}  # a question's name in the form -> its id here (lower case, unique)
    sections: list[dict[str, Any]] = []
    dimensions: dict[str, dict[str, Any]] = {}
    types: dict[str, str] = {}
    current: dict[str, Any] | None = None
    # the open groups and repeats, outermost first: (kind, the section it opened or None, its condition)
    frames: list[tuple[str, dict[str, Any] | None, str | None]] = []
    closed: set[str] = set()  # questions of a repeat that has ended: nothing after it may use them
    for n, record in sheet.records():
        where = f"survey!row {n}"
        kind, _other = normal_type(record.get("type", ""))
        if kind in METADATA:
            note(Problem(source, where, f"{kind}: {METADATA[kind]}"))
            continue
        if "skip" in (f[0] for f in frames):  # inside a repeat we cannot take: reported at its begin
            if kind in ("begin group", "begin repeat"):
                frames.append(("skip", None, None))
            elif kind in ("end group", "end repeat"):
                frames.pop()
            continue
        record = _renamed(record, ids, where, problem)
        record = _without_closed(record, closed, where, problem)
        in_repeat = any(f[0] == "repeat" for f in frames)
        if kind in ("begin group", "begin repeat"):
            condition = _group_condition(record, types, where, problem)
            if kind == "begin repeat" and (in_repeat or kind_of_form != "survey"):
                problem(
                    f"{where}, column type",
                    "a repeat inside a repeat is not supported"
                    if in_repeat
                    else "a repeat is only supported on survey forms (settings kind: survey)",
                )
                frames.append(("skip", None, None))
                continue
            if kind == "begin repeat":
                current = _repeat_section(record, labels, sections, types, where, problem)
                frames.append(("repeat", current, condition))
            elif not frames:
                current = _open_section(sections, record, labels)
                frames.append(("group", current, condition))
            else:
                note(
                    Problem(
                        source,
                        where,
                        "a group inside a repeat is merged into the repeat"
                        if in_repeat
                        else "a group inside a group is merged into the outer section",
                    )
                )
                frames.append(("inner", None, condition))
            continue
        if kind in ("end group", "end repeat"):
            if not frames:
                continue  # pyxform reports an unmatched end
            ended = frames.pop()
            if ended[0] == "repeat" and ended[1] is not None:
                ended_ids = [item["id"] for item in ended[1]["items"]]
                closed.update(ended_ids)
                for item_id in [*ended_ids, ended[1]["id"]]:  # count(), sum(), max(), min() may read them
                    types[item_id] = REPEATED
                outer = next((f[1] for f in frames if f[0] == "group"), None)
                # the rest of the outer group: its own section after the repeat
                current = None if outer is None else _new_section(sections, outer["id"], outer["title"])
            elif not frames:
                current = None
            continue
        if not kind:
            problem(f"{where}, column type", "no type")
            continue
        if in_repeat:
            for column in ("dimension", "role", "pair"):
                if record.get(column):
                    problem(f"{where}, column {column}", f"a question in a repeat cannot have a {column}")
        item = question(record, record.get("type", ""), choices, labels, hints, types, where, problem)
        if item is None:
            continue
        inherited = [f[2] for f in frames if f[2]]
        if inherited:  # a group's relevant holds for every question in it (one spelling: see xpath)
            own = [item["relevant"]] if item.get("relevant") else []
            joined = " and ".join(f"({c})" for c in [*inherited, *own])
            item["relevant"] = ast.unparse(compile_expression(joined, calculation=True).tree)
        for key in ("dimension",):
            if item.get(key):
                dimensions.setdefault(item[key], {"id": item[key], "label": {"zh": item[key]}})
        types[item["id"]] = item["type"]
        if current is None:  # questions outside any group: a part of their own
            number = len(sections) + 1
            current = _new_section(sections, f"s{number}", part_title(number))
        current["items"].append(item)
        if _other and item["type"] in ("single", "multi"):  # or_other: the "specify" question after it
            specify = f"{item['id']}_other"[:40]
            test = (
                f"{item['id']} == 'other'" if item["type"] == "single" else f"selected({item['id']}, 'other')"
            )
            current["items"].append(
                {
                    "id": specify,
                    "type": "text",
                    "label": {"zh": "请注明其他", "en": "Please specify"},
                    "required": False,
                    "relevant": test,
                }
            )
            types[specify] = "text"
    depth = len(frames)
    if depth:
        problem("survey", "a 'begin group' or 'begin repeat' has no matching end")
    return [s for s in sections if s["items"]], dimensions


def _repeat_section(
    record: dict[str, str],
    labels: dict[str, str],
    sections: list[dict[str, Any]],
    types: dict[str, str],
    where: str,
    problem: Any,
) -> dict[str, Any]:
    """A `begin repeat` row as a repeat section: its title, and its count where the form fixes one."""
    section = _open_section(sections, record, labels)
    section["repeat"] = True
    count = record.get("repeat_count", "").strip()
    ref = _REF.fullmatch(count)
    if count and whole_number(count, high=REPEAT_MAX) is not None:
        section["repeat_count"] = int(count)
    elif ref and types.get(ref.group(1)) == "number":
        section["repeat_count"] = ref.group(1)
    elif count:
        problem(
            f"{where}, column repeat_count",
            f"repeat_count must be a whole number up to {REPEAT_MAX} or ${{question}} naming an earlier "
            f"number question (got {count[:60]!r})",
        )
    return section


def part_title(number: int) -> dict[str, str]:
    """The title of a part made for questions outside any group (the export knows it by this)."""
    return {"zh": f"第 {number} 部分", "en": f"Part {number}"}


def _open_section(
    sections: list[dict[str, Any]], record: dict[str, str], labels: dict[str, str]
) -> dict[str, Any]:
    """The section a `begin group` or `begin repeat` row opens: its name as id, its label as title."""
    name = record.get("name", "")
    title = text_of(record, labels) or {"zh": name or part_title(len(sections) + 1)["zh"]}
    return _new_section(sections, _section_id(name, len(sections)), title)


def _new_section(sections: list[dict[str, Any]], wanted_id: str, title: dict[str, Any]) -> dict[str, Any]:
    """A new, empty section appended to `sections`, under an id no other section has."""
    section: dict[str, Any] = {
        "id": _unique(wanted_id, {s["id"] for s in sections}),
        "title": title,
        "items": [],
    }
    sections.append(section)
    return section


def _unique(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted_2`, `wanted_3`... (within 40 characters) when it is taken."""
    candidate, n = wanted, 2
    while candidate in taken:
        candidate = f"{wanted[:36]}_{n}"
        n += 1
    return candidate


def _without_closed(record: dict[str, str], closed: set[str], where: str, problem: Any) -> dict[str, str]:
    """The row without the columns that use a question of a repeat that has ended, each reported: an answer
    given once per entry has no one value outside the repeat (only count(), sum(), max() and min() of it, in
    a relevant or a calculation). Without those columns the row is what "import without it" keeps."""
    out = dict(record)
    for column in ("relevant", "calculation", "constraint", "choice_filter", "repeat_count"):
        plain = _AGGREGATE.sub("", record.get(column, "")) if column in ("relevant", "calculation") else None
        used = [
            name
            for name in _REF.findall(record.get(column, "") if plain is None else plain)
            if name in closed
        ]
        if used:
            problem(
                f"{where}, column {column}",
                f"${{{used[0]}}} is a question inside a repeat: it has an answer per entry, not one to use "
                "here (only count(), sum(), max() or min() of it)",
            )
            out[column] = ""
    return out


def _section_id(name: str, n: int) -> str:
    clean = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return clean if clean and clean[0].isalpha() else f"s{n + 1}"


_REF = re.compile(r"\$\{([^}]+)\}")
_AGGREGATE = re.compile(r"\b(?:count|sum|max|min)\s*\(\s*\$\{[^}]+\}\s*\)")  # over a repeat: allowed


def _renamed(record: dict[str, str], ids: dict[str, str], where: str, problem: Any) -> dict[str, str]:
    """The row with its name as an id of ours (XLSForm allows upper case, '-' and '.'; ours are lower case
    with '_'), every ${name} in its expressions following, and each id unique."""
    out = dict(record)
    name = record.get("name", "")
    if name and name not in ids:
        new = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")[:40]
        if new and not new[0].isalpha():
            new = f"q_{new}"[:40]
        ids[name] = _unique(new, set(ids.values()))
    if name:
        out["name"] = ids[name]
    for key in ("relevant", "constraint", "choice_filter", "calculation", "repeat_count"):
        if out.get(key):
            out[key] = _REF.sub(lambda m: "${" + ids.get(m.group(1), m.group(1)) + "}", out[key])
    return out


def _group_condition(record: dict[str, str], types: dict[str, str], where: str, problem: Any) -> str | None:
    """A group's relevant as our expression (None when it has none or cannot be read, which is reported)."""
    if not record.get("relevant"):
        return None
    try:
        return to_expression(record["relevant"], types)
    except XPathError as exc:
        problem(f"{where}, column relevant", str(exc))
        return None
