"""Issue 26: select_one_from_file and select_multiple_from_file with the CSV lists the form comes with (ODK's
media). The list's names, labels in each language and further columns (for cascading selects) are read; a
missing file, a file of another kind and a bad list are reported by file and row; the form goes back with
the list written out on its choices sheet, which pyxform reads."""

from __future__ import annotations

from forms.answers import check_answers
from forms.xlsform import read_xlsform
from forms.xlsform_export import write_xlsform
from tests.xlsform_books import workbook

SURVEY = [
    ["type", "name", "label::English (en)", "label::Kiswahili (sw)", "choice_filter"],
    ["select_one_from_file counties.csv", "county", "County", "Kaunti", ""],
    ["select_one_from_file sub_counties.csv", "sub", "Sub-county", "Kaunti ndogo", "county = ${county}"],
    ["select_multiple_from_file counties.csv", "visited", "Counties visited", "Kaunti ulizotembelea", ""],
]  # fmt: skip
COUNTIES = (
    "name,label::English (en),label::Kiswahili (sw)\n"
    "nairobi,Nairobi,Jiji la Nairobi\nmombasa,Mombasa,Jiji la Mombasa\n"
)
SUB = (
    "name,label::English (en),label::Kiswahili (sw),county\n"
    "westlands,Westlands,Westlands,nairobi\nkibra,Kibra,Kibera,nairobi\nnyali,Nyali,Nyali,mombasa\n"
)
MEDIA = {"counties.csv": COUNTIES.encode(), "sub_counties.csv": ("\ufeff" + SUB).encode()}


def test_the_lists_come_from_the_files_with_every_language_and_column() -> None:
    result = read_xlsform(workbook(SURVEY), media=MEDIA)
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    county, sub, visited = form.items
    assert county.type == "single" and visited.type == "multi"
    assert [o.value for o in county.options] == ["nairobi", "mombasa"]
    assert county.options[0].label.get("Kiswahili (sw)") == "Jiji la Nairobi"
    assert county.options[0].label.en == "Nairobi" and sub.options[1].label.get("Kiswahili (sw)") == "Kibera"
    assert sub.choice_filter == (("county", "county"),)
    check = check_answers(form, {"a.county": ["nairobi"], "a.sub": ["kibra"], "a.visited": ["mombasa"]})
    assert check.ok and check.values["sub"] == "kibra"
    wrong = check_answers(form, {"a.county": ["mombasa"], "a.sub": ["kibra"]})
    assert "sub" in wrong.errors, "a sub-county of another county is refused"


def test_it_goes_back_with_the_lists_written_out() -> None:
    from pyxform.xls2xform import convert

    form = read_xlsform(workbook(SURVEY), media=MEDIA).instrument
    assert form is not None
    exported = write_xlsform(form)
    again = read_xlsform(exported)
    assert again.problems == [] and again.instrument is not None
    assert again.instrument.items == form.items, "the same questions and choices, now on the choices sheet"
    assert convert(xlsform=exported, file_type=".xlsx").xform


def test_a_missing_file_another_kind_and_a_bad_list_are_reported_by_file_and_row() -> None:
    missing = read_xlsform(workbook(SURVEY), media={"counties.csv": COUNTIES.encode()})
    assert [(p.path, p.reason) for p in missing.problems if p.path.startswith("survey")] == [
        (
            "survey!row 3, column type",
            "select_one_from_file needs its file 'sub_counties.csv': upload it together with the form",
        )
    ]
    xml = read_xlsform(workbook([SURVEY[0], ["select_one_from_file places.xml", "p", "Place", ""]]))
    assert [p.reason for p in xml.problems if p.path.startswith("survey")] == [
        "select_one_from_file 'places.xml': only CSV lists are supported"
    ]
    bad = {
        "counties.csv": b"name,label\nnairobi,Nairobi\nnairobi,Again\n,No name\nmombasa,Mombasa\n",
        "sub_counties.csv": b"name;label\n",
        "notes.txt": b"hello",
        "latin.csv": "name,label\nzürich,Zürich\n".encode("latin-1"),
    }
    found = {(p.path, p.reason) for p in read_xlsform(workbook(SURVEY), media=bad).problems}
    assert ("counties.csv!row 3", "the name 'nairobi' is used twice") in found
    assert ("counties.csv!row 4", "a choice needs a name and a label") in found
    assert ("sub_counties.csv!row 1", "a list of choices needs a 'name' and a 'label' column") in found
    assert any(p == "notes.txt" and "only CSV files" in r for p, r in found)
    assert any(p == "latin.csv" and "not UTF-8" in r for p, r in found)
