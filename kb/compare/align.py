"""Measure alignment: which measures of two plans correspond (kept, changed), and which are new or dropped. Pure.

``align_measures(a, b)`` pairs the measures of plan A (this year's, or one region's) with those of plan B (next
year's, or another region's) one to one. The method, measured on the hand-annotated pairs of
``tests/gold/alignment`` by ``bench/alignment.py`` (tuned on the dev split only):

1. **Words.** Each measure is the bag of the words of its text (the one jieba segmenter, ``kb.text.segment``):
   tokens of two or more characters holding an ideograph and no digit (years and amounts change every year and
   say nothing about the subject). Words of its headline count ``headline_weight`` times more; the headings of
   the sections above it (``Measure.path``: "“十五五”时期主要目标任务" vs "2026年重点工作") count ``path_weight``,
   so a five-year task leans towards the other plan's five-year tasks.
2. **Weights.** Sublinear term frequency (1 + ln tf) × inverse document frequency over the measures of *both*
   plans: a word every measure uses (发展, 推进) weighs nothing, a word two measures share (棚户区, 口岸) a lot.
3. **Similarity.** Cosine of the two weight vectors, 0..1.
4. **Pairing.** Greedy one to one, best pairs first: a pair is made when its similarity is at least
   ``pair_min`` and neither measure is taken yet. A measure of A left alone is *dropped*, one of B *new*.
5. **Kept or changed.** A pair is *changed* when one side *absorbs* another measure: a measure left unpaired
   (dropped or new) is at least ``absorb_ratio`` × the pair's own similarity close to the pair's other side (the
   2019 item that takes in the 2018 ecology item is *changed*, the ecology item *dropped*; the one 2018
   self-building item split into five 2019 items is *changed*, four of them *new*); else *kept*. A threshold on
   the similarity itself was tried and lost (kept-vs-changed 0.52 on the dev pairs against 0.87): how similar two
   kept measures are varies too much from one pair of plans to the next.

The words that made a pair are the shared words with the largest product of weights. Nothing here depends on
how a measure was found: only its text, headline and place are read.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kb.model import Measure
from kb.text.segment import segment

KEPT = "kept"
CHANGED = "changed"
NEW = "new"
DROPPED = "dropped"
RELATIONS = (KEPT, CHANGED, NEW, DROPPED)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"[0-9０-９〇零一二三四五六七八九十百千万亿]{2,}|[0-9０-９]")
_LABEL = re.compile(r"^[\s（(]*[一二三四五六七八九十百零〇\d]+[、.．)）]\s*")
WORDS_SHOWN = 8


@dataclass(frozen=True)
class AlignParams:
    """The method's constants (module docstring); the defaults are the ones tuned on the dev pairs."""

    pair_min: float = 0.12
    absorb_ratio: float = 0.75
    headline_weight: float = 2.0
    path_weight: float = 1.0


DEFAULT = AlignParams()


@dataclass(frozen=True)
class Aligned:
    """One row of an alignment: a pair (``a`` and ``b``), or a measure only in A (dropped) or only in B (new)."""

    a: str | None  # measure id in A
    b: str | None  # measure id in B
    relation: str  # kept | changed | new | dropped
    score: float  # similarity of the pair, 0..1; for new/dropped the best similarity it had to the other side
    words: tuple[str, ...] = ()  # the shared words that weigh most in the pair


@functools.lru_cache(maxsize=4096)
def words_of(text: str) -> tuple[str, ...]:
    """The content words of a text: two characters or more, an ideograph, no digit."""
    return tuple(w for w, _, _ in segment(text) if len(w) >= 2 and _CJK.search(w) and not _DIGIT.search(w))


def _bag(measure: Measure, params: AlignParams) -> Counter[str]:
    bag: Counter[str] = Counter()
    for word in words_of(measure.text):
        bag[word] += 1.0
    for word in words_of(measure.headline):
        bag[word] += params.headline_weight
    sections = [_LABEL.sub("", p) for p in measure.path[:-1]]
    for word in words_of(" ".join(sections)):
        bag[word] += params.path_weight
    return bag


def _vectors(bags: list[Counter[str]]) -> list[dict[str, float]]:
    n = len(bags)
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    vectors = []
    for bag in bags:
        vec = {w: (1.0 + math.log(c)) * math.log((1 + n) / (1 + df[w])) for w, c in bag.items() if c > 0}
        vec = {w: v for w, v in vec.items() if v > 0}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    return vectors


def _cosine(x: dict[str, float], y: dict[str, float]) -> float:
    if len(x) > len(y):
        x, y = y, x
    return sum(v * y.get(w, 0.0) for w, v in x.items())


def _shared(x: dict[str, float], y: dict[str, float], k: int = WORDS_SHOWN) -> tuple[str, ...]:
    common = sorted((x[w] * y[w], w) for w in x.keys() & y.keys())
    return tuple(w for _, w in reversed(common[-k:]))


def similarity_matrix(
    a: Sequence[Measure], b: Sequence[Measure], params: AlignParams = DEFAULT
) -> tuple[list[list[float]], list[dict[str, float]], list[dict[str, float]]]:
    """Cosine similarities ``[i][j]`` of A's measure i and B's measure j, and the weight vectors of each side."""
    vectors = _vectors([_bag(m, params) for m in [*a, *b]])
    va, vb = vectors[: len(a)], vectors[len(a) :]
    return [[_cosine(x, y) for y in vb] for x in va], va, vb


def align_measures(
    a: Sequence[Measure], b: Sequence[Measure], params: AlignParams = DEFAULT
) -> list[Aligned]:
    """Every measure of A and of B exactly once: pairs (kept/changed), dropped (only in A), new (only in B).

    Rows in B's reading order; a dropped measure follows the row of the A measure before it.
    """
    sim, va, vb = similarity_matrix(a, b, params)
    candidates = sorted(
        ((sim[i][j], i, j) for i in range(len(a)) for j in range(len(b)) if sim[i][j] >= params.pair_min),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    pair_of_a: dict[int, int] = {}
    pair_of_b: dict[int, int] = {}
    for _score, i, j in candidates:
        if i not in pair_of_a and j not in pair_of_b:
            pair_of_a[i], pair_of_b[j] = j, i
    lone_a = [i for i in range(len(a)) if i not in pair_of_a]
    lone_b = [j for j in range(len(b)) if j not in pair_of_b]

    def relation(i: int, j: int) -> str:
        bar = params.absorb_ratio * sim[i][j]
        if any(sim[k][j] >= bar for k in lone_a) or any(sim[i][k] >= bar for k in lone_b):
            return CHANGED
        return KEPT

    rows_b: list[Aligned] = []
    for j in range(len(b)):
        if j in pair_of_b:
            i = pair_of_b[j]
            rows_b.append(
                Aligned(a[i].id, b[j].id, relation(i, j), round(sim[i][j], 3), _shared(va[i], vb[j]))
            )
        else:
            best = max((sim[i][j] for i in range(len(a))), default=0.0)
            rows_b.append(Aligned(None, b[j].id, NEW, round(best, 3)))
    # dropped measures: after the row holding the A measure that precedes them
    out: list[Aligned] = []
    after: dict[int, list[Aligned]] = {}
    for i in lone_a:
        best = max(sim[i], default=0.0)
        row = Aligned(a[i].id, None, DROPPED, round(best, 3))
        before = max((k for k in pair_of_a if k < i), default=-1)
        after.setdefault(pair_of_a[before] if before >= 0 else -1, []).append(row)
    out.extend(after.get(-1, []))
    for j, row in enumerate(rows_b):
        out.append(row)
        out.extend(after.get(j, []))
    return out
