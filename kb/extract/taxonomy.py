"""Policy categories (分类) from an editable TOML taxonomy, and keyword-scored classification.

The taxonomy file (default ``kb/data/taxonomy.toml``) lists categories in display order, each with
strong and weak keywords. ``Taxonomy.classify`` counts keyword occurrences in the folded text, with the
headline weighted above the body, and always returns at least one category (the file's fallback when
nothing matches).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.config import config_file, default_file
from kb.text.normalize import fold

DEFAULT_PATH = default_file("taxonomy.toml")  # the packaged default

_SETTINGS: dict[str, type | tuple[type, ...]] = {
    "fallback": str,
    "strong_weight": (int, float),
    "weak_weight": (int, float),
    "headline_weight": (int, float),
    "min_score": (int, float),
    "relative_threshold": (int, float),
    "max_categories": int,
}


class TaxonomyError(ValueError):
    """A malformed taxonomy file; the message names the file and the problem."""


@dataclass(frozen=True)
class Category:
    name: str
    description: str = ""
    strong: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()


@dataclass
class Taxonomy:
    categories: list[Category]
    fallback: str
    strong_weight: float = 3.0
    weak_weight: float = 1.0
    headline_weight: float = 3.0
    min_score: float = 3.0
    relative_threshold: float = 0.5
    max_categories: int = 3
    source: str = ""  # path of the file it was loaded from
    content: bytes = b""  # raw file contents (for the fingerprint)
    _folded: list[tuple[str, list[tuple[str, float]]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._folded = [
            (
                cat.name,
                [(fold(k), self.strong_weight) for k in cat.strong]
                + [(fold(k), self.weak_weight) for k in cat.weak],
            )
            for cat in self.categories
        ]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]

    def get(self, name: str) -> Category | None:
        for cat in self.categories:
            if cat.name == name:
                return cat
        return None

    def scores(self, text: str, headline: str = "") -> dict[str, float]:
        """Keyword score of every category (0 when no keyword occurs), in taxonomy order."""
        body = fold(text)
        head = fold(headline)
        out: dict[str, float] = {}
        for name, keywords in self._folded:
            total = 0.0
            for keyword, weight in keywords:
                hits = body.count(keyword) + self.headline_weight * head.count(keyword)
                total += weight * hits
            out[name] = total
        return out

    def rank(self, text: str, headline: str = "") -> list[tuple[str, float]]:
        """Categories of ``text`` best first with a confidence in (0, 1] (the score over the best score).

        A category is kept when its score reaches ``min_score`` and ``relative_threshold`` times the best
        score, at most ``max_categories``; ties keep taxonomy order. With no keyword at all: the fallback, 0.
        """
        scores = self.scores(text, headline)
        order = {name: i for i, name in enumerate(self.names)}
        ranked = sorted(
            ((s, name) for name, s in scores.items() if s > 0), key=lambda item: (-item[0], order[item[1]])
        )
        if not ranked:
            return [(self.fallback, 0.0)]
        best = ranked[0][0]
        cutoff = max(self.min_score, self.relative_threshold * best)
        kept = [(name, round(s / best, 2)) for s, name in ranked if s >= cutoff][: self.max_categories]
        return kept or [(ranked[0][1], 1.0)]

    def classify(self, text: str, headline: str = "") -> list[str]:
        """Categories of ``text`` best first (at most ``max_categories``, never empty); see ``rank``."""
        return [name for name, _ in self.rank(text, headline)]

    def fingerprint(self) -> str:
        """sha1 of the file contents (changes whenever the file is edited)."""
        return hashlib.sha1(self.content).hexdigest()


def _fail(path: Path, problem: str) -> TaxonomyError:
    return TaxonomyError(f"taxonomy file {path}: {problem}")


def _keywords(path: Path, where: str, value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise _fail(path, f"{where}: '{key}' must be a list of strings")
    out = []
    for k in value:
        k = k.strip()
        if len(k) < 2:
            raise _fail(path, f"{where}: keyword {k!r} in '{key}' is shorter than 2 characters")
        out.append(k)
    return tuple(out)


def parse_taxonomy(data: bytes, path: Path) -> Taxonomy:
    """Validate and build a taxonomy from the raw bytes of a TOML file (``path`` is for messages)."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(path, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"invalid TOML: {exc}") from None
    settings: dict[str, Any] = {}
    for key, kind in _SETTINGS.items():
        if key in doc:
            value = doc[key]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise _fail(path, f"setting '{key}' has the wrong type ({type(value).__name__})")
            settings[key] = value
    unknown = set(doc) - set(_SETTINGS) - {"category"}
    if unknown:
        raise _fail(path, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    raw = doc.get("category")
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "no [[category]] tables")
    categories: list[Category] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw, 1):
        where = f"category #{i}"
        if not isinstance(entry, dict):
            raise _fail(path, f"{where} is not a table")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(path, f"{where} has no 'name'")
        name = name.strip()
        where = f"category #{i} ({name})"
        if name in seen:
            raise _fail(path, f"{where}: duplicate name")
        seen.add(name)
        extra = set(entry) - {"name", "description", "strong", "weak"}
        if extra:
            raise _fail(path, f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise _fail(path, f"{where}: 'description' must be a string")
        categories.append(
            Category(
                name=name,
                description=description,
                strong=_keywords(path, where, entry.get("strong"), "strong"),
                weak=_keywords(path, where, entry.get("weak"), "weak"),
            )
        )
    fallback = settings.pop("fallback", None)
    if not fallback:
        raise _fail(path, "missing the 'fallback' setting (name of the catch-all category)")
    if fallback not in seen:
        raise _fail(path, f"fallback category {fallback!r} is not defined as a [[category]]")
    if settings.get("max_categories", 3) < 1:
        raise _fail(path, "'max_categories' must be at least 1")
    numeric = {k: float(v) if k != "max_categories" else v for k, v in settings.items()}
    return Taxonomy(categories=categories, fallback=fallback, source=str(path), content=data, **numeric)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (default: the configuration folder's, else the packaged one).

    Raises ``TaxonomyError`` (a ``ValueError``) naming the file and the problem when it is malformed.
    """
    target = Path(path) if path is not None else config_file("taxonomy.toml")
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise _fail(target, f"cannot be read ({exc.strerror or exc})") from None
    return parse_taxonomy(data, target)
