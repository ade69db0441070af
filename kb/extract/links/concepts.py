"""The concept table (``concepts.toml``): groups of terms that name one subject, and indicator stop words."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from kb.config import config_file
from kb.text.normalize import fold


@dataclass(frozen=True)
class Concept:
    """A subject: ``terms`` name it (in an indicator or a measure); ``measure_terms`` are only looked for in
    measures, the words of the work that moves such an indicator (地区生产总值 ← 稳增长, 县域经济)."""

    name: str
    terms: tuple[str, ...]
    measure_terms: tuple[str, ...] = ()

    @property
    def sought(self) -> tuple[str, ...]:
        """Every term looked for in a measure's text."""
        return self.terms + self.measure_terms


@dataclass(frozen=True)
class Concepts:
    groups: tuple[Concept, ...]
    stopwords: frozenset[str] = frozenset()  # indicator words that say nothing about its subject
    source: str = ""


def load_concepts(path: Path | None = None) -> Concepts:
    """Load the concept table (default: the configuration folder's ``concepts.toml``, else the packaged one).

    Raises ``ValueError`` naming the file and the problem when it is malformed.
    """
    target = Path(path) if path is not None else config_file("concepts.toml")
    try:
        doc = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"concept file {target}: cannot be read as UTF-8 TOML ({exc})") from None
    raw = doc.get("concept", [])
    if not isinstance(raw, list):
        raise ValueError(f"concept file {target}: 'concept' must be an array of tables ([[concept]])")
    groups = []
    for i, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f"concept file {target}: concept #{i} needs a 'name'")
        terms, measure_terms = entry.get("terms"), entry.get("measure_terms", [])
        for key, value, required in (("terms", terms, True), ("measure_terms", measure_terms, False)):
            if (
                not isinstance(value, list)
                or (required and not value)
                or not all(isinstance(t, str) and len(t) >= 2 for t in value)
            ):
                raise ValueError(
                    f"concept file {target}: concept #{i} ({entry['name']}): '{key}' must be a "
                    f"{'non-empty ' if required else ''}list of strings of at least 2 characters"
                )
        unknown_keys = set(entry) - {"name", "terms", "measure_terms"}
        if unknown_keys:
            raise ValueError(
                f"concept file {target}: concept #{i} ({entry['name']}): unknown key(s) "
                f"{', '.join(sorted(unknown_keys))}"
            )
        groups.append(
            Concept(entry["name"], tuple(fold(t) for t in terms), tuple(fold(t) for t in measure_terms))
        )
    stopwords = doc.get("stopwords", [])
    if not isinstance(stopwords, list) or not all(isinstance(w, str) for w in stopwords):
        raise ValueError(f"concept file {target}: 'stopwords' must be a list of strings")
    unknown = set(doc) - {"concept", "stopwords"}
    if unknown:
        raise ValueError(f"concept file {target}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    return Concepts(tuple(groups), frozenset(fold(w) for w in stopwords), str(target))
