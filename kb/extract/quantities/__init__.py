"""Quantities of a document: targets (goals) and results (what was achieved), with the rule that decided each.

``lexicon`` (words and the master matcher) → ``candidates`` (a number with its sentence and fragment) →
``rules`` (shape, context and kind rules, each named) → ``phrases`` (indicator and qualifiers) → ``api``
(``find_quantities``, ``extract_quantities``, ``explain``, ``compact_numbers``).
"""

from kb.extract.quantities.api import (
    Decision,
    compact_numbers,
    explain,
    extract_quantities,
    find_quantities,
)

__all__ = ["Decision", "compact_numbers", "explain", "extract_quantities", "find_quantities"]
