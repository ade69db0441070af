"""Policy categories (分类) from an editable TOML taxonomy, and how a measure is put in them.

The taxonomy file (default ``kb/data/taxonomy.toml``) lists categories in display order, each in a ``group`` (the
science & technology bureau's desks, 科技, then the State Council's 主题分类), with strong and weak keywords and
``headline`` words (words that say what a measure is about only when its headline says them: 组织领导, 责任…).

``Taxonomy.assign`` classifies one measure from what it says and what is known of its document:

* the measure: keyword scores of its headline (首句) and of its whole text, the share of its text's keyword mass
  each category holds, which category leads, and the headings of the sections it sits in (保障措施, 二、深化对外开放…);
* its document (``Taxonomy.subject``): the keywords of the title, of the source's 主题分类 and of the issuer, and
  the share of each category in the keyword mass of all its measures (a plan about 综合保税区 is about 商贸开放
  throughout, a government work report about everything).

These features are weighted (``[weights]``, fitted on the dev split of the gold set by
``python bench/taxonomy.py --fit``) into a confidence per category; categories reaching ``threshold`` are kept,
best first, at most ``max_categories``; when none does, the best one is kept if it reaches ``min_confidence``,
else the measure goes to the fallback (其他: nothing says what it is about). Every kept category carries the
words that decided it and where they were found.

``rank``/``classify`` are the plain keyword ranking of one text (used for a target's indicator).
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
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
    "bias": (int, float),
    "threshold": (int, float),
    "min_confidence": (int, float),
}
# The features of a (measure, category) pair, in the order of ``Taxonomy.weights``.
FEATURES = ("headline", "cue", "body", "share", "leads", "section", "title", "document", "source", "theme")
# Where a deciding word was found, as the measure's page says it.
PLACES = {
    "headline": "首句",
    "body": "正文",
    "section": "所在部分",
    "title": "文件标题",
    "source": "主题分类/发布机构",
    "document": "全文主题",
    "theme": "文件主题",
}
# The weights a taxonomy file without [weights] gets: those fitted on the dev split for the shipped file (a bureau's
# own keywords are weighed alike; ``python bench/taxonomy.py --fit`` fits its own).
DEFAULT_WEIGHTS = {
    "headline": 0.471,
    "cue": 0.25,
    "body": 1.229,
    "share": 0.489,
    "leads": 0.476,
    "section": 0.331,
    "title": 0.246,
    "document": 0.178,
    "source": 0.217,
    "theme": 0.219,
}
THEME_TITLE = 3.0  # a title names its document's theme with at least one strong keyword (or three weak ones)
THEME_SHARE = 0.3  # else a category holding this share of the measures' keyword mass is the theme


class TaxonomyError(ValueError):
    """A malformed taxonomy file; the message names the file and the problem."""


@dataclass(frozen=True)
class Category:
    name: str
    description: str = ""
    strong: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    headline: tuple[str, ...] = ()  # words that count only in a measure's headline
    group: str = ""  # 科技 (the bureau's desks) or 主题分类


@dataclass(frozen=True)
class Assignment:
    """A category given to a measure: its confidence (0..1] and the words that decided it, each with its place
    ("首句：组织领导", "正文：双随机", "文件标题：综合保税区")."""

    name: str
    confidence: float
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subject:
    """What is known of a document for classifying its measures, per category: the keyword score of its title and
    of its source's 主题分类 and issuer (with the words), and the share of its measures' keyword mass."""

    title: Mapping[str, float] = field(default_factory=dict)
    source: Mapping[str, float] = field(default_factory=dict)
    share: Mapping[str, float] = field(default_factory=dict)
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    theme: str = ""  # the category the document is about as a whole ("" for a broad one, a work report)


Scored = dict[
    str, tuple[float, list[str]]
]  # category -> (score, the keywords found, as written in the taxonomy)


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
    bias: float = -3.823
    threshold: float = 0.48
    min_confidence: float = 0.05
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    source: str = ""  # path of the file it was loaded from
    content: bytes = b""  # raw file contents (for the fingerprint)
    _folded: list[tuple[str, list[tuple[str, str, float]]]] = field(default_factory=list, repr=False)
    _heads: list[tuple[str, list[tuple[str, str, float]]]] = field(default_factory=list, repr=False)
    masks: tuple[str, ...] = ()  # phrases whose inner keywords do not count (人民政府 hides 民政)
    _masks: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        self._folded = [
            (
                cat.name,
                [(fold(k), k, self.strong_weight) for k in cat.strong]
                + [(fold(k), k, self.weak_weight) for k in cat.weak],
            )
            for cat in self.categories
        ]
        self._heads = [
            (cat.name, [(fold(k), k, self.weak_weight) for k in cat.headline]) for cat in self.categories
        ]
        self._masks = tuple(fold(m) for m in self.masks)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.categories]

    def get(self, name: str) -> Category | None:
        for cat in self.categories:
            if cat.name == name:
                return cat
        return None

    # -- keyword scores

    def _keywords(self, text: str, *, headline: bool = False) -> Scored:
        """Keyword score of every category holding a keyword of ``text`` (folded), with the keywords found.

        Longest match wins: an occurrence inside a longer keyword's occurrence (能源 in 新能源汽车) or inside a
        masked phrase (民政 in 人民政府, 健康 in 健康发展) does not count."""
        body = fold(text)
        if not body:
            return {}
        hits: list[tuple[int, int, str, str, float]] = []  # start, end, category, keyword as written, weight
        for mask in self._masks:
            start = body.find(mask)
            while start >= 0:
                hits.append((start, start + len(mask), "", mask, 0.0))
                start = body.find(mask, start + 1)
        tables = [self._folded, self._heads] if headline else [self._folded]
        for table in tables:
            for name, keywords in table:
                for keyword, written, weight in keywords:
                    start = body.find(keyword)
                    while start >= 0:
                        hits.append((start, start + len(keyword), name, written, weight))
                        start = body.find(keyword, start + 1)
        if not hits:
            return {}
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out: Scored = {}
        reach = -1  # the furthest end of the occurrences that start before the current start
        current, longest = -1, 0  # the current start and the longest occurrence starting there
        for start, end, name, written, weight in hits:
            if start != current:
                if current >= 0:
                    reach = max(reach, current + longest)
                current, longest = start, end - start
            if end <= reach or end - start < longest:
                continue  # inside a longer occurrence
            if name:
                score, words = out.get(name, (0.0, []))
                out[name] = (score + weight, [*words, written])
        return out

    def scores(self, text: str, headline: str = "") -> dict[str, float]:
        """Keyword score of every category (0 when no keyword occurs), in taxonomy order."""
        body = self._keywords(text)
        head = self._keywords(headline) if headline else {}
        return {
            name: body.get(name, (0.0, []))[0] + self.headline_weight * head.get(name, (0.0, []))[0]
            for name in self.names
        }

    def rank(self, text: str, headline: str = "") -> list[tuple[str, float]]:
        """Categories of ``text`` by keywords alone, best first, with a confidence in (0, 1] (score over the best).

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
        """Categories of ``text`` by keywords alone, best first (at most ``max_categories``, never empty)."""
        return [name for name, _ in self.rank(text, headline)]

    # -- measures in their document

    def subject(
        self, title: str, source: Sequence[str] = (), measures: Iterable[tuple[str, str]] = ()
    ) -> Subject:
        """What a document says it is about: ``title``; ``source`` the source's 主题分类 and the issuer;
        ``measures`` the (headline, text) of its measures."""
        title_scores = self._keywords(title)
        source_scores = self._keywords(" ".join(s for s in source if s))
        mass: dict[str, float] = {}
        for headline, text in measures:
            for name, (score, _) in self._keywords(text).items():
                mass[name] = mass.get(name, 0.0) + score
            for name, (score, _) in self._keywords(headline).items():
                mass[name] = mass.get(name, 0.0) + self.headline_weight * score
        total = sum(mass.values())
        words: dict[str, tuple[str, ...]] = {}
        for place, scored in (("title", title_scores), ("source", source_scores)):
            for name, (_, found) in scored.items():
                words[name] = (*words.get(name, ()), *(f"{PLACES[place]}：{w}" for w in dict.fromkeys(found)))
        share = {n: s / total for n, s in mass.items()} if total else {}
        order = {name: i for i, name in enumerate(self.names)}
        titled = sorted(
            ((s, share.get(n, 0.0), -order[n], n) for n, (s, _) in title_scores.items() if s >= THEME_TITLE),
            reverse=True,
        )
        theme = titled[0][3] if titled else ""
        if not theme and share:
            name, most = max(share.items(), key=lambda kv: (kv[1], -order[kv[0]]))
            theme = name if most >= THEME_SHARE else ""
        return Subject(
            {n: s for n, (s, _) in title_scores.items()},
            {n: s for n, (s, _) in source_scores.items()},
            share,
            words,
            theme,
        )

    def features(
        self, headline: str, text: str, sections: Sequence[str] = (), subject: Subject | None = None
    ) -> tuple[dict[str, dict[str, float]], dict[str, list[str]]]:
        """Per category (any with evidence): the value of each feature (``FEATURES``), and the deciding words."""
        subject = subject or Subject()
        head = self._keywords(headline)
        cue = {
            n: v for n, v in self._keywords(headline, headline=True).items() if v[0] > head.get(n, (0.0,))[0]
        }
        cue = {
            n: (s - head.get(n, (0.0, []))[0], [w for w in ws if w not in head.get(n, (0.0, []))[1]])
            for n, (s, ws) in cue.items()
        }
        body = self._keywords(text)
        section = self._keywords(" ".join(sections))
        total = sum(score for score, _ in body.values())
        combined = {
            n: self.headline_weight * head.get(n, (0.0, []))[0] + body.get(n, (0.0, []))[0]
            for n in self.names
        }
        best = max(combined.values(), default=0.0)
        names = set(head) | set(cue) | set(body) | set(section) | set(subject.title) | set(subject.source)
        names |= {n for n, share in subject.share.items() if share > 0}
        names.discard(self.fallback)
        values: dict[str, dict[str, float]] = {}
        words: dict[str, list[str]] = {}
        for name in names:
            b = body.get(name, (0.0, []))[0]
            values[name] = {
                "headline": math.log1p(head.get(name, (0.0, []))[0]),
                "cue": math.log1p(cue.get(name, (0.0, []))[0]),
                "body": math.log1p(b),
                "share": b / total if total else 0.0,
                "leads": 1.0 if best > 0 and combined[name] == best else 0.0,
                "section": math.log1p(section.get(name, (0.0, []))[0]),
                "title": math.log1p(subject.title.get(name, 0.0)),
                "document": subject.share.get(name, 0.0),
                "source": math.log1p(subject.source.get(name, 0.0)),
                "theme": 1.0 if name == subject.theme else 0.0,
            }
            found: list[str] = []
            for place, scored in (
                ("headline", head),
                ("headline", cue),
                ("body", body),
                ("section", section),
            ):
                for word in dict.fromkeys(scored.get(name, (0.0, []))[1]):
                    if not (place == "body" and f"{PLACES['headline']}：{word}" in found):
                        found.append(f"{PLACES[place]}：{word}")
            found.extend(subject.words.get(name, ()))
            if name == subject.theme and not any(w.startswith(PLACES["title"]) for w in found):
                found.append(f"{PLACES['theme']}：{subject.share.get(name, 0.0):.0%}")
            words[name] = found
        return values, words

    def confidence(self, values: Mapping[str, float]) -> float:
        """The weighted features through the logistic function: the chance the category is right."""
        z = self.bias + sum(self.weights.get(f, 0.0) * values.get(f, 0.0) for f in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def assign(
        self, headline: str, text: str, sections: Sequence[str] = (), subject: Subject | None = None
    ) -> list[Assignment]:
        """The categories of one measure, best first (never empty; the fallback when nothing fits)."""
        values, words = self.features(headline, text, sections, subject)
        order = {name: i for i, name in enumerate(self.names)}
        ranked = sorted(
            ((self.confidence(v), name) for name, v in values.items()),
            key=lambda item: (-item[0], order[item[1]]),
        )
        kept = [(p, n) for p, n in ranked if p >= self.threshold][: self.max_categories]
        if not kept and ranked and ranked[0][0] >= self.min_confidence:
            kept = ranked[:1]
        if not kept:
            return [Assignment(self.fallback, 0.0, ())]
        return [Assignment(n, max(0.01, round(p, 2)), tuple(words[n][:6])) for p, n in kept]

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


def _settings(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    """The top-level settings (``_SETTINGS``) the file sets, each checked for its type."""
    settings: dict[str, Any] = {}
    for key, kind in _SETTINGS.items():
        if key in doc:
            value = doc[key]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise _fail(path, f"setting '{key}' has the wrong type ({type(value).__name__})")
            settings[key] = value
    return settings


def _weights(doc: dict[str, Any], path: Path) -> dict[str, float]:
    """``DEFAULT_WEIGHTS`` with the file's ``[weights]`` over them."""
    weights: dict[str, float] = dict(DEFAULT_WEIGHTS)
    raw_weights = doc.get("weights", {})
    if not isinstance(raw_weights, dict):
        raise _fail(path, "'weights' must be a table ([weights])")
    for key, value in raw_weights.items():
        if key not in FEATURES:
            raise _fail(path, f"[weights]: unknown feature {key!r} (known: {', '.join(FEATURES)})")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _fail(path, f"[weights]: {key} must be a number")
        weights[key] = float(value)
    return weights


def _category(path: Path, i: int, entry: Any, seen: set[str]) -> Category:
    """The ``i``-th [[category]] table, checked (its name is added to ``seen``, which must not hold it)."""
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
    extra = set(entry) - {"name", "description", "strong", "weak", "headline", "group"}
    if extra:
        raise _fail(path, f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise _fail(path, f"{where}: 'description' must be a string")
    group = entry.get("group", "")
    if not isinstance(group, str):
        raise _fail(path, f"{where}: 'group' must be a string")
    return Category(
        name=name,
        description=description,
        strong=_keywords(path, where, entry.get("strong"), "strong"),
        weak=_keywords(path, where, entry.get("weak"), "weak"),
        headline=_keywords(path, where, entry.get("headline"), "headline"),
        group=group.strip(),
    )


def parse_taxonomy(data: bytes, path: Path) -> Taxonomy:
    """Validate and build a taxonomy from the raw bytes of a TOML file (``path`` is for messages)."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(path, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"invalid TOML: {exc}") from None
    settings = _settings(doc, path)
    weights = _weights(doc, path)
    masks = _keywords(path, "setting 'masks'", doc.get("masks"), "masks")
    unknown = set(doc) - set(_SETTINGS) - {"category", "weights", "masks"}
    if unknown:
        raise _fail(path, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    raw = doc.get("category")
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "no [[category]] tables")
    categories: list[Category] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw, 1):
        categories.append(_category(path, i, entry, seen))
    fallback = settings.pop("fallback", None)
    if not fallback:
        raise _fail(path, "missing the 'fallback' setting (name of the catch-all category)")
    if fallback not in seen:
        raise _fail(path, f"fallback category {fallback!r} is not defined as a [[category]]")
    if settings.get("max_categories", 3) < 1:
        raise _fail(path, "'max_categories' must be at least 1")
    numeric = {k: float(v) if k != "max_categories" else v for k, v in settings.items()}
    return Taxonomy(
        categories=categories,
        fallback=fallback,
        weights=weights,
        masks=masks,
        source=str(path),
        content=data,
        **numeric,
    )


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
