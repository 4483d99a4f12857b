"""Load instrument files (YAML) and report every problem at once: file, item path and a plain reason."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from forms.items import parse_item
from forms.problems import ID_PATTERN, Collector, Problem
from forms.schema import KINDS, REPEAT_MAX, SCALES, Dimension, Instrument, Item, Section

BUNDLED_DIR = Path(__file__).parent / "instruments"
_INSTRUMENT_ID = re.compile(r"^[a-z][a-z0-9-]{1,79}$")
TOP_KEYS = {"id", "version", "kind", "title", "intro", "scale", "dimensions", "sections", "languages"}
TOP_KEYS |= {"default_language"}
SECTION_KEYS = {"id", "title", "items", "repeat", "repeat_count", "repeat_max"}


def load_instrument(path: str | Path) -> tuple[Instrument | None, list[Problem]]:
    """Read and validate one instrument file; the instrument is None when any problem was found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), "(file)", f"cannot be read as UTF-8 text: {exc}")]
    return parse_instrument_text(text, source=str(path))


MAX_TEXT = (
    512 * 1024
)  # an instrument file is a few KB; refuse anything that could only be an attack or an error


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases (a few nested aliases expand to gigabytes)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
        if getattr(event, "anchor", None) is not None:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "anchors and aliases (& and *) are not allowed in instrument files",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def excerpt(text: object, limit: int = 160) -> str:
    """At most `limit` characters of a message (an error never echoes a whole file back)."""
    value = str(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def parse_instrument_text(text: str, *, source: str) -> tuple[Instrument | None, list[Problem]]:
    """Parse YAML text (no anchors or aliases, at most 512 KB) and validate it."""
    if len(text) > MAX_TEXT:
        return None, [
            Problem(source, "(file)", f"the file is over {MAX_TEXT // 1024} KB; instrument files are small")
        ]
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        return None, [Problem(source, where, excerpt(f"not valid YAML: {getattr(exc, 'problem', exc)}"))]
    instrument, problems = parse_instrument(data, source=source)
    if instrument is not None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        instrument = Instrument(**{**instrument.__dict__, "raw": {**instrument.raw, "sha256": digest}})
    return instrument, problems


def load_bundled() -> dict[str, Instrument]:
    """Load every bundled instrument, keyed by id; raise if any has a problem (a packaging bug)."""
    found: dict[str, Instrument] = {}
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        instrument, problems = load_instrument(path)
        if problems or instrument is None:
            raise ValueError("bundled instrument is invalid:\n" + "\n".join(map(str, problems)))
        found[instrument.id] = instrument
    return found


def parse_instrument(data: Any, *, source: str = "<data>") -> tuple[Instrument | None, list[Problem]]:
    """Validate a decoded instrument mapping; return (instrument, []) or (None, every problem)."""
    out = Collector(source)
    if not isinstance(data, dict):
        out.add("(top)", "the file must hold a mapping with id, version, title, dimensions and sections")
        return None, out.problems
    out.unknown_keys("(top)", data, TOP_KEYS)
    inst_id = data.get("id")
    if not isinstance(inst_id, str) or not _INSTRUMENT_ID.match(inst_id):
        out.add("id", "id must be lower-case letters, digits and '-' (e.g. property-resident-survey)")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        out.add("version", "version must be a whole number >= 1")
    kind = data.get("kind", "survey")
    if kind not in KINDS:
        out.add("kind", f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    scale = data.get("scale", "agreement")
    if scale not in SCALES:
        out.add("scale", f"unknown scale {scale!r}; use one of {', '.join(SCALES)}")
    title = out.label("title", data.get("title"))
    intro = out.label("intro", data["intro"]) if "intro" in data else None
    languages = data.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(x, str) and 0 < len(x) <= 60 for x in languages):
        out.add("languages", "languages must be a list of language names")
        languages = []
    default_language = data.get("default_language", "")
    if not isinstance(default_language, str) or (default_language and default_language not in languages):
        out.add("default_language", "default_language must be one of the form's languages")
        default_language = ""
    dimensions = _dimensions(out, data.get("dimensions"))
    sections = _sections(out, data.get("sections"), {d.id for d in dimensions})
    if kind != "survey" and any(s.repeat for s in sections):
        out.add("sections", "a repeat is only supported on survey forms (kind: survey)")
    if kind == "mystery":  # each clause is planned as covert or open (seed L1099)
        for section in sections:
            for item in section.items:
                if item.scored and item.covert is None:
                    out.add(f"{section.id}.{item.id}", "a mystery-script item must say covert: true or false")
    if out.problems:
        return None, out.problems
    return (
        Instrument(
            id=str(inst_id),
            version=int(version or 0),
            kind=kind,
            title=title,  # type: ignore[arg-type]
            intro=intro,
            dimensions=tuple(dimensions),
            sections=tuple(sections),
            scale=scale,
            source=source,
            languages=tuple(languages),
            default_language=default_language,
            raw={"definition": data},
        ),
        [],
    )


def _dimensions(out: Collector, value: Any) -> list[Dimension]:
    if value is None:
        return []
    if not isinstance(value, list):
        out.add("dimensions", "dimensions must be a list")
        return []
    found: list[Dimension] = []
    for n, raw in enumerate(value):
        path = f"dimensions[{n}]"
        if not isinstance(raw, dict):
            out.add(path, "a dimension must be a mapping with id and label")
            continue
        out.unknown_keys(path, raw, {"id", "label"})
        dim_id = raw.get("id")
        if not isinstance(dim_id, str) or not ID_PATTERN.match(dim_id):
            out.add(path, "dimension id must be lower-case letters, digits and '_'")
            continue
        if any(d.id == dim_id for d in found):
            out.add(f"{path} ({dim_id})", f"duplicate dimension id {dim_id!r}")
        label = out.label(f"{path} ({dim_id}).label", raw.get("label"))
        if label:
            found.append(Dimension(dim_id, label))
    return found


def _sections(out: Collector, value: Any, dimension_ids: set[str]) -> list[Section]:
    if not isinstance(value, list) or not value:
        out.add("sections", "sections must be a non-empty list")
        return []
    sections: list[Section] = []
    seen: dict[str, str] = {}
    items_so_far: dict[str, Item] = {}  # items asked once: what later items may refer to
    roles: dict[str, str] = {}
    section_ids: set[str] = set()
    repeated: set[str] = set()  # repeats that have ended and their questions: count() and sum() read them
    for s, raw in enumerate(value):
        path = f"sections[{s}]"
        if not isinstance(raw, dict):
            out.add(path, "a section must be a mapping with id, title and items")
            continue
        out.unknown_keys(path, raw, SECTION_KEYS)
        sec_id = raw.get("id", f"s{s + 1}")
        if str(sec_id) in section_ids:
            out.add(f"{path}.id", f"duplicate section id {sec_id!r}")
        section_ids.add(str(sec_id))
        title = out.label(f"{path}.title", raw.get("title"))
        items_raw = raw.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            out.add(f"{path}.items", "a section needs a non-empty list of items")
            continue
        repeat = _repeat(out, path, raw, items_so_far)
        inside: dict[str, Item] = {}  # a repeat's own items: its later items may refer to them
        items: list[Item] = []
        for i, item_raw in enumerate(items_raw):
            item_path = f"{path}.items[{i}]"
            earlier = set(items_so_far) | set(inside)
            item = parse_item(
                out, item_path, item_raw, dimension_ids, earlier, seen, roles, frozenset(repeated)
            )
            if item is None:
                continue
            items.append(item)
            if repeat is None:
                items_so_far[item.id] = item
                continue
            inside[item.id] = item
            for what, used in (("dimension", item.dimension), ("role", item.role), ("pair", item.pair)):
                if used:
                    out.add(f"{item_path} ({item.id}).{what}", f"an item in a repeat cannot have a {what}")
        if repeat is not None:
            repeated |= {str(sec_id), *inside}
        if repeat is not None and not ID_PATTERN.match(str(sec_id)):
            out.add(f"{path}.id", "a repeat's id must start with a letter and use lower-case letters and '_'")
        if title:
            count, most = repeat if repeat is not None else (None, REPEAT_MAX)
            sections.append(Section(str(sec_id), title, tuple(items), repeat is not None, count, most))
    for section in sections:
        if section.repeat and section.id in seen:  # its answers are stored under its id
            out.add(f"sections ({section.id})", f"a repeat's id {section.id!r} is also an item's id")
    _check_pairs(out, items_so_far, seen)
    return sections


def _repeat(
    out: Collector, path: str, raw: dict[str, Any], earlier: dict[str, Item]
) -> tuple[str | None, int] | None:
    """A repeat section's (repeat_count, repeat_max), or None for a section asked once."""
    repeat = raw.get("repeat", False)
    if not isinstance(repeat, bool):
        out.add(f"{path}.repeat", "repeat must be true or false")
    if repeat is not True:
        for key in ("repeat_count", "repeat_max"):
            if key in raw:
                out.add(f"{path}.{key}", f"{key} applies to a repeat section only")
        return None
    most = raw.get("repeat_max", REPEAT_MAX)
    if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= REPEAT_MAX:
        out.add(f"{path}.repeat_max", f"repeat_max must be a whole number from 1 to {REPEAT_MAX}")
        most = REPEAT_MAX
    count = raw.get("repeat_count")
    if count is None:
        return None, most
    if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= most:
        return str(count), most
    source = earlier.get(count) if isinstance(count, str) else None
    if source is None or source.type != "number":
        out.add(
            f"{path}.repeat_count",
            f"repeat_count must be a whole number up to {most} or an earlier number question",
        )
    return (count if isinstance(count, str) else None), most


def _check_pairs(out: Collector, items: dict[str, Item], paths: dict[str, str]) -> None:
    for item in items.values():
        if item.pair is None:
            continue
        if not isinstance(item.pair, str):
            out.add(f"{paths[item.id]} ({item.id}).pair", "pair must name one item id, e.g. pair: q09")
            continue
        other = items.get(item.pair)
        where = f"{paths[item.id]} ({item.id}).pair"
        if other is None:
            out.add(where, f"pair refers to unknown item {item.pair!r}")
        elif other.id == item.id:
            out.add(where, "an item cannot be paired with itself")
        elif other.type != "likert5" or item.type != "likert5":
            out.add(where, "pair links two likert5 items")


__all__ = ["Problem", "load_bundled", "load_instrument", "parse_instrument", "parse_instrument_text"]
