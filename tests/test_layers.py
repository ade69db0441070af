"""The layer contract (``[tool.importlinter]`` in pyproject.toml): data flows one way, and a tool checks it.

web → kb.cli → kb.build | kb.cite | kb.present → kb.search → kb.store → kb.extract → kb.readers →
kb.text | kb.model | kb.urls → kb.ids | kb.config. An upper layer may import a lower one; never the reverse, and
siblings on one line never import each other (function-level imports included).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_no_module_imports_upward_or_sideways(capsys: pytest.CaptureFixture[str]) -> None:
    cli = pytest.importorskip("importlinter.cli", reason="import-linter is a dev dependency (make setup)")
    code = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def test_the_contract_names_every_package_of_the_tree() -> None:
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    named = {
        part.strip()
        for layer in contract["contracts"][0]["layers"]
        for part in layer.split("|")
        if part.strip()
    }
    packages = {
        f"kb.{p.name}" for p in (ROOT / "kb").iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    modules = {f"kb.{p.stem}" for p in (ROOT / "kb").glob("*.py") if p.stem not in ("__init__", "__main__")}
    shims = {"kb.analysis"}  # the old pickle path of the analyzers (kb/analysis.py says why)
    assert packages | modules - shims <= named | {"kb.data"}
