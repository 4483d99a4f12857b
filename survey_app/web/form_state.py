"""What `survey/_form.html` and the field screens need to draw a form in any state: the instrument, the page,
the answers as posted, which items are shown, and each problem in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forms import Instrument
from forms.answers import AnswerCheck, entries
from forms.expressions import compile_expression
from survey_app.i18n import gettext
from survey_app.web.labels import SCALE_ANCHORS
from survey_app.web.messages import field_error


@dataclass
class FormState:
    """Everything `survey/_form.html` needs to draw the form in any state."""

    instrument: Instrument
    locale: str
    action: str
    form_token: str
    page: int = 0
    raw: dict[str, list[str]] | None = None
    relevant: dict[str, bool] | None = None
    errors: dict[str, list[str]] | None = None
    form_errors: list[str] | None = None
    client_id: str = ""
    item_ms: str = ""
    version: int = 0  # the instrument version the page shows (an older page still submits to its own)
    form_lang: str = ""  # one of the form's own languages, chosen by the respondent ("" : the page's locale)
    counts: dict[str, int] | None = None  # entries of each repeat, as last posted
    photo_action: str = ""  # where a photo question posts its photo (residents' photos allowed); "" : none

    @property
    def sections(self) -> tuple[Any, ...]:
        return self.instrument.sections

    @property
    def pages(self) -> int:
        return len(self.instrument.sections)

    @property
    def triggers(self) -> frozenset[str]:
        """Items whose answer changes which other items are shown."""
        names: set[str] = set()
        for item in self.instrument.items:
            if item.relevant:
                names |= compile_expression(item.relevant, calculation=True).names
            names |= {question for _column, question in item.choice_filter}  # cascading selects
        return frozenset(names)

    @property
    def scale_options(self) -> list[tuple[str, str]]:
        anchors = SCALE_ANCHORS[self.instrument.scale]
        return [(str(n), gettext(text)) for n, text in enumerate(anchors, start=1)]

    def label(self, labelled: Any) -> str:
        return labelled.get(self.form_lang or self.locale) if labelled else ""

    @property
    def has_geopoint(self) -> bool:
        """Whether the page needs the small position script (a form without geopoint ships none)."""
        return any(item.type == "geopoint" for item in self.instrument.items)

    @property
    def has_repeat(self) -> bool:
        return any(section.repeat for section in self.instrument.sections)

    @property
    def languages(self) -> list[tuple[str, str]]:
        """The form's own languages as (key, name shown) for the respondent's choice ([] : zh/en only)."""
        langs = self.instrument.languages
        if not [x for x in langs if x not in ("zh", "en")]:
            return []
        names = {"zh": "中文", "en": "English"}
        return [(x, names.get(x, x)) for x in langs]

    def options(self, item: Any, entry: int | None = None) -> Any:
        """An item's options given the answers on the page (a cascading select's, filtered); in a repeat's
        entry, that entry's answers first."""
        raw = {k: v if len(v) > 1 else v[0] for k, v in (self.raw or {}).items() if v}  # several: a multi
        values = {k: v for k, v in raw.items() if "." not in k}
        if entry is not None:
            suffix = f".{entry}"
            values |= {k[: -len(suffix)]: v for k, v in raw.items() if k.endswith(suffix)}
        return item.options_for(values)

    def entries(self, section: Any) -> int:
        """How many entries of a repeat the page shows (one to start with; a fixed count as it stands)."""
        if self.counts is not None and section.id in self.counts:
            return self.counts[section.id]
        raw = {f"a.{k}": v for k, v in (self.raw or {}).items()}
        return entries(section, raw, {})

    def chosen(self, item_id: str) -> list[str]:
        return (self.raw or {}).get(item_id, [])

    def shown(self, item_id: str) -> bool:
        return (self.relevant or {}).get(item_id, True)

    def item_errors(self, item_id: str) -> list[str]:
        return (self.errors or {}).get(item_id, [])


def with_check(view: FormState, check: AnswerCheck) -> FormState:
    """Fill a view with a checked submission: raw values kept, messages translated."""
    view.raw = check.raw
    view.relevant = check.relevant
    view.counts = check.counts
    view.errors = {
        k: [view.label(p["message"]) if c == "form_message" else field_error(c, p) for c, p in v]
        for k, v in check.errors.items()
    }
    view.form_errors = [field_error(c, p) for c, p in check.form_errors]
    return view
