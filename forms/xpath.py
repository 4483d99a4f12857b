"""The XPath that ODK forms use for skip logic and calculations, translated to our safe expressions and back.

Supported: ``${name}`` references, string and number literals, ``=  !=  <  <=  >  >=``, ``and``, ``or``,
``not(...)``, parentheses, ``selected(${name}, 'value')``, ``true()``/``false()``, and ``${name} != ''`` /
``${name} = ''`` (answered / not answered). Anything else (arithmetic, ``.``, other functions such as
``count-selected`` or ``today()``) is reported as unsupported, never dropped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from forms.expressions import ExpressionError, compile_expression

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{(?P<name>[^}]*)\})
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>!=|<=|>=|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z][\w:-]*)
    | (?P<other>\S)
    )""",
    re.VERBOSE,
)
NUMERIC_TYPES = ("likert5", "number")


class XPathError(ValueError):
    """A construct outside the supported subset."""


def to_expression(xpath: str, types: Mapping[str, str]) -> str:
    """Translate a `relevant` XPath; `types` maps earlier item names to our item types. Beyond the plain
    subset, a condition may use what a calculation may (arithmetic, count-selected(), string-length()...)."""
    try:
        return _condition(xpath, types)
    except XPathError as plain:
        try:
            return to_calculation(xpath, types)
        except XPathError:
            raise plain from None


def _condition(xpath: str, types: Mapping[str, str]) -> str:
    tokens = [m for m in _TOKEN.finditer(xpath) if m.group(0).strip()]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        m = tokens[i]
        text = m.group(0).strip()
        if m.group("ref"):
            name = m.group("name")
            if name not in types:
                raise XPathError(f"${{{name}}} does not name an earlier question")
            if types[name] == REPEATED:
                raise XPathError(f"${{{name}}} is a question inside a repeat")
            nxt = tokens[i + 1 : i + 3]
            if len(nxt) == 2 and nxt[0].group("op") in ("=", "!=") and nxt[1].group("str") in ("''", '""'):
                out.append(f"{'not ' if nxt[0].group('op') == '=' else ''}answered({name})")
                i += 3
                continue
            out.append(name)
            if len(nxt) == 2 and nxt[0].group("op") and nxt[1].group("str") and types[name] in NUMERIC_TYPES:
                literal = nxt[1].group("str")[1:-1]
                if re.fullmatch(r"-?\d+(\.\d+)?", literal):
                    out += [_op(nxt[0].group("op")), literal]
                    i += 3
                    continue
        elif m.group("str"):
            out.append(repr(m.group("str")[1:-1]))
        elif m.group("num"):
            out.append(m.group("num"))
        elif m.group("op"):
            out.append(_op(m.group("op")))
        elif m.group("punct"):
            out.append(text)
        elif m.group("word") in ("and", "or"):
            out.append(f" {text} ")
        elif m.group("word") == "not":
            out.append("not ")
        elif m.group("word") in ("true", "false") and _call_empty(tokens, i):
            out.append("True" if text == "true" else "False")
            i += 3
            continue
        elif m.group("word") == "selected":
            found = _selected(tokens, i, types)
            out.append(found)
            i += 6
            continue
        else:
            what = m.group("word") or text
            raise XPathError(f"{what!r} is not supported in relevant")
        i += 1
    source = " ".join("".join(out).split())
    try:
        tree = compile_expression(source).tree
    except ExpressionError as exc:
        raise XPathError(str(exc)) from None
    return ast.unparse(tree)  # one spelling for one condition, so that it survives a round trip


def _op(op: str) -> str:
    return {"=": " == ", "!=": " != ", "<": " < ", "<=": " <= ", ">": " > ", ">=": " >= "}[op]


def _call_empty(tokens: list[re.Match[str]], i: int) -> bool:
    return (
        len(tokens) > i + 2
        and tokens[i + 1].group(0).strip() == "("
        and tokens[i + 2].group(0).strip() == ")"
    )


def _selected(tokens: list[re.Match[str]], i: int, types: Mapping[str, str]) -> str:
    parts = [t.group(0).strip() for t in tokens[i + 1 : i + 6]]
    if len(parts) < 5 or parts[0] != "(" or parts[2] != "," or parts[4] != ")":
        raise XPathError("selected() takes a ${question} and a 'value'")
    ref, value = tokens[i + 2], tokens[i + 4]
    if not ref.group("ref") or not value.group("str"):
        raise XPathError("selected() takes a ${question} and a 'value'")
    name, wanted = ref.group("name"), value.group("str")[1:-1]
    if name not in types:
        raise XPathError(f"${{{name}}} does not name an earlier question")
    if types[name] == "multi":
        return f"selected({name}, {wanted!r})"
    if types[name] in NUMERIC_TYPES and re.fullmatch(r"-?\d+", wanted):
        return f"{name} == {wanted}"
    return f"{name} == {wanted!r}"


def from_expression(source: str) -> str:
    """Our expression back to XPath (the export)."""
    return _xpath(compile_expression(source, calculation=True).tree)


def _xpath(node: ast.AST) -> str:
    if isinstance(node, ast.BinOp):
        sign = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "div", ast.Mod: "mod"}[type(node.op)]
        return f"({_xpath(node.left)} {sign} {_xpath(node.right)})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"-{_xpath(node.operand)}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "position":
        return "position(..)"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BACK:
        return BACK[node.func.id] + "(" + ", ".join(_xpath(a) for a in node.args) + ")"
    if isinstance(node, ast.BoolOp):
        joiner = " and " if isinstance(node.op, ast.And) else " or "
        return "(" + joiner.join(_xpath(v) for v in node.values) + ")"
    if isinstance(node, ast.UnaryOp):
        return f"not({_xpath(node.operand)})"
    if isinstance(node, ast.Name):
        return "${" + node.id + "}"
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return "true()" if node.value else "false()"
        return repr(node.value) if isinstance(node.value, str) else str(node.value)
    if isinstance(node, ast.Call):
        first, func = node.args[0], node.func
        assert isinstance(first, ast.Name) and isinstance(func, ast.Name)  # no other call is allowed
        if func.id == "answered":
            return "${" + first.id + "} != ''"
        value = node.args[1]
        assert isinstance(value, ast.Constant)
        return "selected(${" + first.id + "}, " + repr(value.value) + ")"
    if isinstance(node, ast.Compare):
        parts = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.List | ast.Tuple):
                eq = "=" if isinstance(op, ast.In) else "!="
                glue = " or " if isinstance(op, ast.In) else " and "
                parts.append("(" + glue.join(f"{_xpath(left)} {eq} {_xpath(e)}" for e in right.elts) + ")")
            else:
                symbol = {
                    ast.Eq: "=",
                    ast.NotEq: "!=",
                    ast.Lt: "<",
                    ast.LtE: "<=",
                    ast.Gt: ">",
                    ast.GtE: ">=",
                }
                parts.append(f"{_xpath(left)} {symbol[type(op)]} {_xpath(right)}")
            left = right
        return " and ".join(parts)
    raise XPathError(f"{type(node).__name__} cannot be written as XPath")


CALC_FUNCTIONS = {
    "if": "iff", "concat": "concat", "round": "round_", "coalesce": "coalesce", "number": "number",
    "count-selected": "count_selected", "string-length": "length", "int": "int_", "today": "today",
    "now": "now", "once": "once", "uuid": "uuid", "format-date": "format_date", "count": "count_",
    "sum": "sum_", "max": "max_", "min": "min_",
}  # fmt: skip
REPEATED = (
    "repeated"  # the type of a repeat (and of its questions) once it has ended: read only in aggregates
)
_AGGREGATES = ("count", "sum", "max", "min")
BACK = {ours: theirs for theirs, ours in CALC_FUNCTIONS.items()}


def to_calculation(xpath: str, types: Mapping[str, str]) -> str:
    """Translate a `calculation` XPath: what `relevant` allows, plus + - * div mod, unary minus and
    if(), concat(), round(), coalesce(), number(), count-selected(), string-length()."""
    tokens = [m for m in _TOKEN.finditer(xpath) if m.group(0).strip()]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        m = tokens[i]
        text, word = m.group(0).strip(), m.group("word")
        following = tokens[i + 1].group(0).strip() if i + 1 < len(tokens) else ""
        if m.group("ref"):
            name = m.group("name")
            if name not in types:
                raise XPathError(f"${{{name}}} does not name an earlier question")
            inside = i >= 2 and tokens[i - 1].group(0).strip() == "(" and tokens[i - 2].group("word")
            if types[name] == REPEATED and (inside not in _AGGREGATES or following != ")"):
                raise XPathError(f"${{{name}}} is a question inside a repeat")
            if types[name] != REPEATED and inside in _AGGREGATES:
                raise XPathError(f"{inside}() reads a repeat that comes before, or a question of one")
            out.append(name)
        elif m.group("str"):
            out.append(repr(m.group("str")[1:-1]))
        elif m.group("num"):
            number = m.group("num")
            last = out[-1].strip() if out else ""
            after_operand = bool(last) and (last[-1].isalnum() or last[-1] in ")'\"_")
            out.append(f" - {number[1:]}" if number.startswith("-") and after_operand else number)
        elif m.group("op"):
            out.append(_op(m.group("op")))
        elif m.group("punct"):
            out.append(text)
        elif text in ("+", "-", "*"):
            out.append(f" {text} ")
        elif word in ("div", "mod"):
            out.append(" / " if word == "div" else " % ")
        elif word in ("and", "or"):
            out.append(f" {word} ")
        elif word == "not" and following == "(":
            out.append("not ")
        elif word in ("true", "false") and _call_empty(tokens, i):
            out.append("True" if word == "true" else "False")
            i += 3
            continue
        elif word == "position" and "".join(t.group(0).strip() for t in tokens[i + 1 : i + 5]) == "(..)":
            out.append("position()")  # an entry's number inside a repeat
            i += 5
            continue
        elif word in CALC_FUNCTIONS and following == "(":
            out.append(CALC_FUNCTIONS[word])
        else:
            raise XPathError(f"{word or text!r} is not supported in a calculation")
        i += 1
    source = " ".join("".join(out).split())
    try:
        tree = compile_expression(source, calculation=True).tree
    except ExpressionError as exc:
        raise XPathError(str(exc)) from None
    return ast.unparse(tree)  # one spelling for one calculation, so that it survives a round trip


def from_calculation(source: str) -> str:
    """A calculation of ours back to XPath (the export)."""
    return _xpath(compile_expression(source, calculation=True).tree)
