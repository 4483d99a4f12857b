"""`relevant` conditions: evaluated by walking a whitelisted AST."""

from __future__ import annotations

import pytest

from forms.expressions import ExpressionError, compile_expression


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("q1 == 'yes'", {"q1": "yes"}, True),
        ("q1 == 'yes'", {"q1": "no"}, False),
        ("q1 == 'yes'", {}, False),
        ("q2 <= 2", {"q2": 1}, True),
        ("q2 <= 2", {"q2": None}, False),
        ("q2 <= 2 and q1 != 'no'", {"q1": "yes", "q2": 2}, True),
        ("not (q2 > 3) or q1 == 'x'", {"q2": 5, "q1": "x"}, True),
        ("q3 in ['a', 'b']", {"q3": "b"}, True),
        ("selected(q4, 'lift')", {"q4": ["lift", "door"]}, True),
        ("selected(q4, 'lift')", {"q4": ["door"]}, False),
        ("answered(q5)", {"q5": 3}, True),
        ("answered(q5)", {"q5": None}, False),
        ("1 < q2 < 4", {"q2": 3}, True),
        ("q2 > 'a'", {"q2": 3}, False),
    ],
)
def test_evaluate(source: str, answers: dict[str, object], expected: bool) -> None:
    assert compile_expression(source).evaluate(answers) is expected


def test_names_are_collected() -> None:
    assert compile_expression("selected(q4, 'x') and q1 == 2").names == {"q1", "q4"}


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "q1.__class__",
        "open('f')",
        "q1 + 1 > 2",
        "[x for x in q1]",
        "lambda: 1",
        "q1 == (yield)",
        "answered(q1, q2)",
        "selected('q1', 'a')",
        "q1 ==",
    ],
)
def test_disallowed_syntax(source: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(source)
