"""The synonyms file (``synonyms.txt``): equivalents (``A => B``, ``A <=> B``) and narrower terms (``A > B``), and
the configured thesaurus loaded once per process."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.config import config_file
from kb.text.normalize import normalize


def _key(text: str) -> str:
    return normalize(text).strip().lower()


@dataclass(frozen=True)
class Thesaurus:
    """The synonyms file: equivalents (``A => B``, ``A <=> B``) and narrower terms (``A > B``), each as
    ``{normalised key: [alternatives in file order]}``."""

    synonyms: dict[str, list[str]]
    narrower: dict[str, list[str]]


def load_thesaurus(path: str | Path | None = None) -> Thesaurus:
    """Read a synonyms file (see kb/data/synonyms.txt for the format); malformed lines are skipped.

    ``A => B, C`` one-way equivalents; ``A <=> B <=> C`` (or a plain comma-separated group) two-way: every member
    gets the others; ``A > B, C``: B and C are narrower terms of A (A finds them, they never find A).
    """
    path = Path(path) if path is not None else config_file("synonyms.txt")
    synonyms: dict[str, list[str]] = {}
    narrower: dict[str, list[str]] = {}

    def add(table: dict[str, list[str]], src: str, dst: str) -> None:
        key = _key(src)
        alt = normalize(dst).strip()
        if not key or not alt or _key(alt) == key:
            return
        alts = table.setdefault(key, [])
        if alt not in alts:
            alts.append(alt)

    def members(text: str) -> list[str]:
        return [m.strip() for m in re.split(r"[,，]", text) if m.strip()]

    with open(path, encoding="utf-8-sig") as fh:
        for raw in fh:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if "<=>" in line:
                group = [m for part in line.split("<=>") for m in members(part)]
                for a in group:
                    for b in group:
                        add(synonyms, a, b)
            elif "=>" in line:
                left, _, right = line.partition("=>")
                for src in members(left):
                    for alt in members(right):
                        add(synonyms, src, alt)
            elif ">" in line:
                left, _, right = line.partition(">")
                for src in members(left):
                    for alt in members(right):
                        add(narrower, src, alt)
            else:  # a plain comma-separated group is two-way
                group = members(line)
                for a in group:
                    for b in group:
                        add(synonyms, a, b)
    return Thesaurus(synonyms, narrower)


def load_synonyms(path: str | Path | None = None) -> dict[str, list[str]]:
    """The equivalents of a synonyms file: ``{normalised key: [alternatives in file order]}`` (two-way groups give
    every member the others; narrower terms are ``load_thesaurus``'s)."""
    return load_thesaurus(path).synonyms


@functools.lru_cache(maxsize=1)
def _default_thesaurus() -> Thesaurus:
    try:
        return load_thesaurus()
    except OSError:
        return Thesaurus({}, {})


@functools.lru_cache(maxsize=1)
def default_synonyms() -> Mapping[str, tuple[str, ...]]:
    """The configured equivalents (synonyms.txt), loaded once per process; empty if missing."""
    return {k: tuple(v) for k, v in _default_thesaurus().synonyms.items()}


@functools.lru_cache(maxsize=1)
def default_narrower() -> Mapping[str, tuple[str, ...]]:
    """The configured narrower terms (``A > B`` lines of synonyms.txt): {broader: narrower terms}."""
    return {k: tuple(v) for k, v in _default_thesaurus().narrower.items()}
