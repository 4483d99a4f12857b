"""What the form readers (`forms.xlsform`, `forms.loader`) report, in the reader's language.

`forms/` is pure and speaks English; its messages follow a small set of fixed shapes, matched here and
translated through the catalogue. A shape not listed stays in English (with its sheet, row and column, which
are names in the file and read the same in every language)."""

from __future__ import annotations

import re

from survey_app.i18n import N_, gettext
from survey_app.web.labels import METADATA_NOTES

_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^type '(?P<a>.+)' is not supported$"), N_("the question type “%(a)s” is not supported")),
    (re.compile(r"^unknown type '(?P<a>.+)'$"), N_("“%(a)s” is not a question type")),
    (re.compile(r"^a question needs a label$"), N_("a question needs a label")),
    (re.compile(r"^no type$"), N_("the row has no type")),
    (
        re.compile(r"^choice list '(?P<a>.*)' is not on the choices sheet$"),
        N_("the choice list “%(a)s” is not on the choices sheet"),
    ),
    (
        re.compile(r"^required must be yes or no \(got '(?P<a>.*)'\)$"),
        N_("required must be yes or no (it says “%(a)s”)"),
    ),
    (re.compile(r"^(?P<a>\w+) is not supported$"), N_("the %(a)s column is not supported yet")),
    (
        re.compile(r"^constraint '(?P<a>.+)' cannot be mapped.*$"),
        N_("the constraint “%(a)s” cannot be used (supported: . >= n, . <= n, string-length(.) <= n)"),
    ),
    (
        re.compile(r"^a choice needs list_name, name and a label$"),
        N_("a choice needs list_name, name and a label"),
    ),
    (re.compile(r"^no 'survey' sheet$"), N_("the workbook has no survey sheet")),
    (
        re.compile(r"^a 'begin group' or 'begin repeat' has no matching end$"),
        N_("a “begin group” or “begin repeat” has no matching end"),
    ),
    (
        re.compile(r"^a repeat inside a repeat is not supported$"),
        N_("a repeat inside a repeat is not supported"),
    ),
    (
        re.compile(r"^a repeat is only supported on survey forms.*$"),
        N_("a repeat can only be used on a survey form (settings kind: survey)"),
    ),
    (
        re.compile(r"^\$\{(?P<a>[^}]+)\} is a question inside a repeat.*$"),
        N_(
            "${%(a)s} is a question inside a repeat: it has an answer for each entry, not one to use here "
            "(only count(), sum(), max() or min() of it)"
        ),
    ),
    (
        re.compile(r"^repeat_count must be a whole number up to (?P<a>\d+) .*\(got '(?P<b>.*)'\)$"),
        N_("repeat_count must be a whole number up to %(a)s or an earlier number question (it says “%(b)s”)"),
    ),
    (
        re.compile(r"^a question in a repeat cannot have a (?P<a>\w+)$"),
        N_("a question inside a repeat cannot have a %(a)s (it is not scored)"),
    ),
    (
        re.compile(r"^a group inside a repeat is merged into the repeat$"),
        N_("a group inside a repeat is merged into the repeat"),
    ),
    (
        re.compile(
            r"^(?P<a>select_\w+_from_file) needs its file '(?P<b>.+)': upload it together with the form$"
        ),
        N_("%(a)s needs its file “%(b)s”: choose it together with the form when you upload"),
    ),
    (
        re.compile(r"^(?P<a>select_\w+_from_file) '(?P<b>.+)': only CSV lists are supported$"),
        N_("%(a)s “%(b)s”: only lists in CSV files are supported"),
    ),
    (
        re.compile(r"^only CSV files can come with a form.*$"),
        N_("only CSV files can come with a form (the lists of select_one_from_file)"),
    ),
    (
        re.compile(r"^a list of choices needs a 'name' and a 'label' column$"),
        N_("a list of choices needs a “name” and a “label” column"),
    ),
    (re.compile(r"^a choice needs a name and a label$"), N_("a choice needs a name and a label")),
    (
        re.compile(r"^the name '(?P<a>.*)' is used twice$"),
        N_("the name “%(a)s” is used twice"),
    ),
    (
        re.compile(r"^a list of choices needs at least two$"),
        N_("a list of choices needs at least two choices"),
    ),
    (
        re.compile(r"^the file is not UTF-8 text.*$"),
        N_("the file is not UTF-8 text (save it as “CSV UTF-8”)"),
    ),
    (
        re.compile(r"^more than (?P<a>\d+) rows with something in them$"),
        N_("more than %(a)s rows are filled in"),
    ),
    (
        re.compile(r"^not an \.xlsx workbook.*$"),
        N_("this is not an .xlsx workbook (save the form as Excel 2007 or later, .xlsx)"),
    ),
    (
        re.compile(r"^the workbook unpacks to far more than a form needs.*$"),
        N_("the workbook unpacks to far more than any form needs; it was not opened"),
    ),
    (
        re.compile(r"^the file is over (?P<a>\d+) MB.*$"),
        N_("the file is over %(a)s MB; a form is much smaller"),
    ),
    (
        re.compile(r"^\$\{(?P<a>[^}]+)\} does not name an earlier question$"),
        N_("${%(a)s} is not a question that comes before this one"),
    ),
    (
        re.compile(r"^display setting ignored.*$"),
        N_("a display setting, ignored (these pages do not need it)"),
    ),
    (
        re.compile(r"^column '(?P<a>.+)' ignored \(not used here\)$"),
        N_("the column “%(a)s” is ignored (not used here)"),
    ),
    (
        re.compile(r"^'(?P<a>.+)' is not supported in (?:relevant|a calculation)$"),
        N_("“%(a)s” cannot be worked out here (see the functions a condition or calculation may use)"),
    ),
    (
        re.compile(r"^choice_filter '(?P<a>.+)' cannot be mapped.*$"),
        N_(
            "the choice_filter “%(a)s” cannot be used (supported: a choice column = an earlier question, or "
            "selected(an earlier multiple choice, a choice column))"
        ),
    ),
    (
        re.compile(r"^a range needs start < end and a positive step$"),
        N_("a range needs start below end and a positive step"),
    ),
    (
        re.compile(r"^range parameter '(?P<a>.+)' is not name=number$"),
        N_("the range parameter “%(a)s” is not name=number"),
    ),
    (
        re.compile(r"^sheet ignored.*$"),
        N_("sheet ignored (only survey, choices, settings and dimensions are read)"),
    ),
    (
        re.compile(r"^a group inside a group is merged into the outer section$"),
        N_("a group inside a group is merged into the outer section"),
    ),
    (
        re.compile(r"^version '(?P<a>.+)' is the form's own label.*$"),
        N_(
            "the version “%(a)s” is the form's own label; it is stored as version 1 (give a changed form a "
            "whole-number version to number it yourself)"
        ),
    ),
]
_METADATA = re.compile(r"^(?P<a>[\w-]+): (?P<detail>(?:recorded|ignored): .+)$")
_WHERE = re.compile(r"^(?P<sheet>[\w.\- ]+)!row (?P<row>\d+)(?:, column (?P<col>.+))?$")


def localise(reason: str) -> str:
    """A reader's message in the current language (English when its shape is not known here)."""
    text = reason.strip()
    metadata = _METADATA.match(text)
    if metadata and metadata.group("detail") in METADATA_NOTES:
        detail = gettext(METADATA_NOTES[metadata.group("detail")])
        return gettext(N_("%(a)s: %(detail)s")) % {"a": metadata.group("a"), "detail": detail}
    for pattern, template in _REASONS:
        match = pattern.match(text)
        if match:
            return gettext(template) % match.groupdict() if match.groupdict() else gettext(template)
    return text


def localise_where(where: str) -> str:
    """'form.xlsx: survey!row 3, column type' as the reader says it ('survey 表第 3 行，type 列')."""
    source, sep, place = where.rpartition(": ")
    match = _WHERE.match(place if sep else where)
    if not match:
        return where
    values = {"sheet": match.group("sheet"), "row": match.group("row"), "col": match.group("col") or ""}
    template = (
        N_("%(sheet)s sheet, row %(row)s, column %(col)s")
        if values["col"]
        else N_("%(sheet)s sheet, row %(row)s")
    )
    return gettext(template) % values
