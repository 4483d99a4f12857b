"""Safe `relevant` conditions: a tiny expression language parsed with `ast` and walked, never `eval`-ed.

Grammar (Python syntax, whitelisted): item ids as names; constants (str, int, float, True/False/None);
lists of constants; comparisons ==, !=, <, <=, >, >=, in, not in; `and`, `or`, `not`; parentheses;
`answered(q)` (true when q has a non-N/A answer) and `selected(q, "value")` (for multi-choice items).
A comparison with a missing or N/A answer is false.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_FUNCTIONS = {"answered": 1, "selected": 2}
# a calculation (XLSForm calculate) may also do arithmetic and call these: name -> (min, max) arguments
_VALUE_FUNCTIONS = {
    "iff": (3, 3), "concat": (1, 20), "round_": (1, 2), "coalesce": (2, 2), "number": (1, 1),
    "count_selected": (1, 1), "length": (1, 1), "int_": (1, 1), "today": (0, 0), "now": (0, 0),
    "once": (1, 1), "uuid": (0, 0), "format_date": (2, 2), "position": (0, 0),
}  # fmt: skip
# over a repeat's entries: the repeat's id or one of its questions' ids, read after the repeat (ODK's count(),
# sum(), max(), min() of a repeated node); the one argument must be such a name
_AGGREGATES = ("count_", "sum_", "max_", "min_")
# what an answer set does not hold but a calculation may read: the moment the answers are checked (the
# campaign's local time) and, inside a repeat's entry, its number; never item ids (those start with a letter)
MOMENT, ENTRY = "__moment__", "__entry__"
_DATE_PARTS = {"%Y", "%y", "%m", "%d", "%H", "%M", "%S", "%b", "%a"}  # format-date() as strftime reads them
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}


class ExpressionError(ValueError):
    """The expression uses syntax outside the whitelist."""


@dataclass(frozen=True)
class Expression:
    source: str
    tree: ast.expr
    names: frozenset[str]
    aggregated: frozenset[str] = frozenset()  # names read only through count_() / sum_() / max_() / min_()

    def evaluate(self, answers: Mapping[str, Any]) -> bool:
        """Evaluate against answers (item id -> value); missing names are treated as unanswered (a
        comparison or arithmetic with a missing answer is false)."""
        try:
            return bool(_eval(self.tree, answers))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return False

    def value(self, answers: Mapping[str, Any]) -> Any:
        """A calculation's value (None when an answer it needs is missing or the arithmetic fails)."""
        try:
            found = _eval(self.tree, answers)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return None
        if isinstance(found, float) and (found != found or found in (float("inf"), float("-inf"))):
            return None
        return int(found) if isinstance(found, float) and found.is_integer() else found


@functools.lru_cache(maxsize=1024)
def compile_expression(source: str, *, calculation: bool = False) -> Expression:
    """Parse and check an expression; raise ExpressionError with a plain reason when it is not allowed.
    A `calculation` may also use + - * / %, unary minus and the value functions (iff, concat, round_,
    coalesce, number, count_selected, length)."""
    if len(source) > 2000:
        raise ExpressionError("the expression is too long")
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"not a valid expression ({exc.msg})") from None
    names: set[str] = set()
    aggregated: set[str] = set()
    _check(tree, names, calculation, aggregated)
    return Expression(source, tree, frozenset(names), frozenset(aggregated))


def _check(node: ast.AST, names: set[str], calculation: bool, aggregated: set[str]) -> None:
    if (
        calculation
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _AGGREGATES
    ):
        if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Name):
            raise ExpressionError(f"{node.func.id}() takes one repeat or question of a repeat")
        aggregated.add(node.args[0].id)
    elif calculation and isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        _check(node.left, names, calculation, aggregated)
        _check(node.right, names, calculation, aggregated)
    elif calculation and isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        _check(node.operand, names, calculation, aggregated)
    elif (
        calculation
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _VALUE_FUNCTIONS
    ):
        low, high = _VALUE_FUNCTIONS[node.func.id]
        if not low <= len(node.args) <= high or node.keywords:
            raise ExpressionError(f"{node.func.id}() takes {low} to {high} argument(s)")
        for arg in node.args:
            _check(arg, names, calculation, aggregated)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, names, calculation, aggregated)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, names, calculation, aggregated)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError(f"operator {type(op).__name__} is not allowed")
        for part in (node.left, *node.comparators):
            _check(part, names, calculation, aggregated)
    elif isinstance(node, ast.Name):
        names.add(node.id)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool | type(None)):
        return
    elif isinstance(node, ast.List | ast.Tuple):
        for elt in node.elts:
            if not isinstance(elt, ast.Constant):
                raise ExpressionError("lists may hold constants only")
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
        if len(node.args) != _FUNCTIONS[node.func.id] or node.keywords:
            raise ExpressionError(f"{node.func.id}() takes {_FUNCTIONS[node.func.id]} argument(s)")
        first = node.args[0]
        if not isinstance(first, ast.Name):
            raise ExpressionError(f"the first argument of {node.func.id}() must be an item id")
        names.add(first.id)
        if len(node.args) == 2 and not isinstance(node.args[1], ast.Constant):
            raise ExpressionError("the second argument of selected() must be a constant")
    else:
        raise ExpressionError(f"{type(node).__name__} is not allowed in a condition")


def _eval(node: ast.AST, answers: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, answers), _eval(node.right, answers)
        if left is None or right is None:
            raise ValueError("a value is missing")
        return _ARITHMETIC[type(node.op)](_number(left), _number(right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_number(_eval(node.operand, answers))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _AGGREGATES:
        return _aggregate(node.func.id, answers.get(node.args[0].id))  # type: ignore[attr-defined]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _VALUE_FUNCTIONS:
        return _call(node.func.id, [_eval(a, answers) for a in node.args], answers)
    if isinstance(node, ast.BoolOp):
        results = (_eval(v, answers) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.UnaryOp):
        return not _eval(node.operand, answers)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, answers)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, answers)
            if left is None or right is None:
                return False
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return False
            left = right
        return True
    if isinstance(node, ast.Name):
        return answers.get(node.id)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(e, answers) for e in node.elts]
    if isinstance(node, ast.Call):
        name = node.func.id  # type: ignore[attr-defined]
        value = answers.get(node.args[0].id)  # type: ignore[attr-defined]
        if name == "answered":
            return value not in (None, "", [])
        wanted = node.args[1].value  # type: ignore[attr-defined]
        return isinstance(value, list) and wanted in value
    raise ExpressionError(f"{type(node).__name__} is not allowed")  # unreachable after _check


def _aggregate(name: str, values: Any) -> Any:
    """count() of a repeat's entries (or of a question's, answered or not, as ODK counts its nodes); sum(),
    max() and min() of a question's answers over the entries (blank ones left out)."""
    if not isinstance(values, list):
        raise ValueError("not a repeat")
    if name == "count_":
        return len(values)
    numbers = [_number(v) for v in values if v not in (None, "")]
    if name == "sum_":
        return sum(numbers)
    if not numbers:
        raise ValueError("no answers")
    return max(numbers) if name == "max_" else min(numbers)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    return float(str(value).strip())


def _call(name: str, args: list[Any], answers: Mapping[str, Any]) -> Any:
    """The value functions of a calculation (XLSForm if, concat, round, coalesce, number, count-selected,
    string-length, int, today, now, once, uuid, format-date, position(..))."""
    if name in ("today", "now", "format_date", "position", "uuid", "once", "int_"):
        return _moment_call(name, args, answers)
    if name == "iff":
        return args[1] if args[0] else args[2]
    if name == "concat":
        return "".join("" if a is None else _text(a) for a in args)
    if name == "round_":
        digits = int(_number(args[1])) if len(args) == 2 else 0
        return round(_number(args[0]), max(0, min(digits, 10)))
    if name == "coalesce":
        return args[0] if args[0] not in (None, "") else args[1]
    if name == "number":
        return _number(args[0])
    if name == "count_selected":
        return len(args[0]) if isinstance(args[0], list) else (0 if args[0] in (None, "") else 1)
    return len(_text(args[0])) if args[0] is not None else 0


def _moment_call(name: str, args: list[Any], answers: Mapping[str, Any]) -> Any:
    """today() and now() in the campaign's local time as our date and datetime answers are written
    (YYYY-MM-DD, YYYY-MM-DDTHH:MM), so that they compare with them; once(x) is x (a calculation is fixed
    when the response is stored); uuid() a random one; position(..) an entry's number in its repeat."""
    import uuid
    from datetime import datetime

    moment = answers.get(MOMENT)
    if name == "once":
        return args[0]
    if name == "int_":
        return int(_number(args[0]))
    if name == "uuid":
        return str(uuid.uuid4())
    if name == "position":
        entry = answers.get(ENTRY)
        if entry is None:
            raise ValueError("position(..) outside a repeat")
        return entry
    if not isinstance(moment, datetime):
        raise ValueError("no moment to read the date from")
    if name == "today":
        return moment.strftime("%Y-%m-%d")
    if name == "now":
        return moment.strftime("%Y-%m-%dT%H:%M")
    return _format_date(args[0], str(args[1]))


def _format_date(value: Any, pattern: str) -> str:
    """XLSForm's format-date() for the parts people use (%Y %y %m %n %d %e %H %M %S %b %a)."""
    from datetime import datetime

    text = str(value)
    when = datetime.fromisoformat(text[:16] if "T" in text else text[:10])
    out, i = [], 0
    while i < len(pattern):
        part = pattern[i : i + 2]
        if part in _DATE_PARTS:
            out.append(when.strftime(part))
        elif part == "%n":
            out.append(str(when.month))
        elif part == "%e":
            out.append(str(when.day))
        else:
            out.append(pattern[i])
            i += 1
            continue
        i += 2
    return "".join(out)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)
