"""PolicyKB is MIT: every distribution installed to run it (its run-time requirements and theirs) has a permissive
licence, and the README's licence section names each one.

The licence is read from the installed package metadata (``License-Expression``, else ``License``, else the
``License ::`` classifiers), so a new dependency, or a new version that changes its licence, fails here.
"""

from __future__ import annotations

import importlib.metadata as md
import re
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# Words that mark a permissive licence in package metadata (expressions, free text or classifiers).
PERMISSIVE = re.compile(
    r"\b(MIT|BSD|Apache|PSF|Python Software Foundation|ZPL|Zope Public|MPL|Mozilla Public|HPND|MIT-CMU|0BSD|"
    r"Zlib|CC0|ISC|Unlicense)\b",
    re.I,
)
COPYLEFT = re.compile(r"\b(A?GPL|LGPL|General Public License|EUPL|SSPL)\b", re.I)


def runtime_closure() -> dict[str, md.Distribution]:
    """Every installed distribution policykb needs at run time (no extras), by normalised name."""
    environment = {**default_environment(), "extra": ""}
    found: dict[str, md.Distribution] = {}
    todo = [Requirement(r) for r in md.requires("policykb") or []]
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if name in found:
            continue
        try:
            dist = md.distribution(requirement.name)
        except md.PackageNotFoundError:
            continue  # an optional platform dependency not installed here
        found[name] = dist
        todo.extend(Requirement(r) for r in dist.requires or [])
    return found


def licence_of(dist: md.Distribution) -> str:
    meta = dist.metadata
    classifiers = [
        c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License")
    ]
    text = meta.get("License-Expression") or ""
    if not text:
        stated = (meta.get("License") or "").strip()
        text = stated if len(stated) < 200 else stated.splitlines()[0]
    return " / ".join(part for part in (text, *classifiers) if part)


@pytest.fixture(scope="module")
def closure() -> dict[str, md.Distribution]:
    try:
        md.distribution("policykb")
    except md.PackageNotFoundError:
        pytest.skip("policykb is not installed (pip install -e .): its requirements cannot be read")
    return runtime_closure()


def test_every_runtime_dependency_is_permissively_licensed(closure: dict[str, md.Distribution]) -> None:
    assert "jieba" in closure and "flask" in closure  # the closure was really read
    bad = {}
    for name, dist in closure.items():
        licence = licence_of(dist)
        if COPYLEFT.search(licence) or not PERMISSIVE.search(licence):
            bad[name] = licence or "(no licence stated)"
    assert not bad, f"run-time dependencies without a permissive licence: {bad}"


def test_the_readme_names_every_direct_runtime_dependency() -> None:
    try:
        requirements = md.requires("policykb") or []
    except md.PackageNotFoundError:
        pytest.skip("policykb is not installed (pip install -e .)")
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    section = readme.split("## 许可 Licences", 1)[-1].split("\n## ", 1)[0].lower()
    direct = {Requirement(r).name.lower() for r in requirements if "extra ==" not in r}
    missing = sorted(name for name in direct if name not in section)
    assert not missing, f"README's licence section does not name: {missing}"
