"""The dependency direction: forms/ and fraud/ never import the web or database layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"starlette", "sqlmodel", "sqlalchemy", "jinja2", "survey_app", "uvicorn", "alembic", "httpx"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", ["forms", "fraud", "grading"])
def test_pure_library_imports(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has modules"
    offenders = {str(p.relative_to(ROOT)): imported_roots(p) & FORBIDDEN for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}
