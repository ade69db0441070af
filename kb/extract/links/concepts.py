"""The concept table (``concepts.toml``): groups of terms that name one subject, and indicator stop words."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from kb.config import config_file
from kb.text.normalize import fold


@dataclass(frozen=True)
class Concept:
    name: str
    terms: tuple[str, ...]


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
        terms = entry.get("terms")
        if (
            not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and len(t) >= 2 for t in terms)
        ):
            raise ValueError(
                f"concept file {target}: concept #{i} ({entry['name']}): 'terms' must be a non-empty "
                "list of strings of at least 2 characters"
            )
        groups.append(Concept(entry["name"], tuple(fold(t) for t in terms)))
    stopwords = doc.get("stopwords", [])
    if not isinstance(stopwords, list) or not all(isinstance(w, str) for w in stopwords):
        raise ValueError(f"concept file {target}: 'stopwords' must be a list of strings")
    unknown = set(doc) - {"concept", "stopwords"}
    if unknown:
        raise ValueError(f"concept file {target}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    return Concepts(tuple(groups), frozenset(fold(w) for w in stopwords), str(target))
