"""A wheel built from pyproject.toml holds every package (and its data files), and each imports from it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("survey_app", "forms", "fraud", "grading")


def test_the_wheel_holds_and_imports_every_package(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy: building writes build/ and *.egg-info beside the sources
    skip = shutil.ignore_patterns(
        ".venv", "node_modules", "var", ".git", "build", "*.egg-info", "__pycache__"
    )
    shutil.copytree(ROOT, source, ignore=skip)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*pip, "-w", str(tmp_path), str(source)], check=True, capture_output=True, cwd=source)
    wheel = next(tmp_path.glob("mingcha-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    for package in PACKAGES:
        assert f"{package}/__init__.py" in names, f"{package} is missing from the wheel"
    assert any(n.startswith("grading/schemes/") and n.endswith(".yaml") for n in names)
    assert any(n.startswith("forms/instruments/") and n.endswith(".yaml") for n in names)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import importlib; "
        "mods = [importlib.import_module(p) for p in sys.argv[2:]]; "
        "assert all(m.__file__.startswith(sys.argv[1]) for m in mods), [m.__file__ for m in mods]; "
        "from grading.loader import BUNDLED_DIR; assert list(BUNDLED_DIR.glob('*.yaml'))"
    )
    subprocess.run([sys.executable, "-c", code, str(site), *PACKAGES], check=True, cwd=tmp_path)
