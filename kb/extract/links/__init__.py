"""Links between a document's targets (目标指标) and the measures (措施) that pursue them.

Rules (see ``link``):

* A target mentioned inside a measure belongs to it: ``source="inside"``, score 1.0.
* A target stated elsewhere (usually the 主要目标 section) is scored against every measure by content:
  the indicator's jieba words and concept groups (``kb/data/concepts.toml``), each weighted by its
  specificity across the document's measures (IDF: a word found in every measure weighs ~0), plus
  character-bigram overlap, a bonus for hits in the measure's headline and a bonus when the taxonomy
  puts the indicator and the measure in the same category (weighted by the measure's confidence in it).
  Links scoring at least ``WEAK_THRESHOLD`` and no more than ``MARGIN`` below the target's best score are
  kept, at most ``MAX_LINKS`` per target, when they reach ``THRESHOLD`` (firm). A concept's ``measure_terms`` are
  sought in measures only: the work that moves an aggregate indicator (地区生产总值 ← 稳增长, 县域经济). On the dev
  gold set (``bench/extraction.py``) the firm links (inside, confirmed, content ≥ ``THRESHOLD`` = 0.5) have a
  precision of 0.812 and a recall of 0.635 (0.824 of the gold links whose target and measure were extracted; at
  0.7 before the aggregates' concepts: 0.875 / 0.594).
* A *weak* link (shown as 弱关联, with why) is kept only where weak links are right more often than not: for a
  target with no firm link, its best candidate when it scores at least ``WEAK_THRESHOLD`` and leads every other
  measure by ``LEAD`` (the one clear candidate). At the shipped threshold that band is empty
  (``WEAK_THRESHOLD`` = ``THRESHOLD``): its candidates were right 0.43–0.47 of the time on the dev split.
* Every link says why: its ``evidence`` (the mention inside the measure, the matched words, or 人工确认).
* A bureau can confirm or reject links in a ``links.toml`` next to its documents (``load_overrides``).

**Modules.** ``scoring`` (content scores and their evidence), ``assign`` (the thresholds, ``link``,
``attach_links``), ``concepts`` (``concepts.toml``), ``overrides`` (``links.toml``); every public name is
re-exported here.
"""

from __future__ import annotations

from kb.extract.links.assign import (
    LEAD,
    MARGIN,
    MAX_LINKS,
    THRESHOLD,
    WEAK_PRECISION,
    WEAK_THRESHOLD,
    attach_links,
    is_weak,
    link,
)
from kb.extract.links.concepts import Concept, Concepts, load_concepts
from kb.extract.links.overrides import (
    LinkOverrides,
    OverrideRule,
    OverridesError,
    check_overrides,
    load_overrides,
)
from kb.extract.links.scoring import (
    BIGRAM_WEIGHT,
    CATEGORY_BONUS,
    HEADLINE_BONUS,
    WORD_WEIGHT,
    Hits,
    MeasureTexts,
    score_target,
)

__all__ = [
    "BIGRAM_WEIGHT",
    "CATEGORY_BONUS",
    "HEADLINE_BONUS",
    "LEAD",
    "MARGIN",
    "MAX_LINKS",
    "THRESHOLD",
    "WEAK_PRECISION",
    "WEAK_THRESHOLD",
    "WORD_WEIGHT",
    "Concept",
    "Concepts",
    "Hits",
    "LinkOverrides",
    "MeasureTexts",
    "OverrideRule",
    "OverridesError",
    "attach_links",
    "check_overrides",
    "is_weak",
    "link",
    "load_concepts",
    "load_overrides",
    "score_target",
]
