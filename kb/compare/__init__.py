"""Comparing plans: two documents side by side (measures aligned, targets of the same indicator with last year's
result), a document's predecessor and successor, and one indicator across regions.

Layer: above ``kb.store`` (it reads the knowledge of a built index: measures, targets, indicator series) and
beside ``kb.search``; below ``kb.cite`` (the Word and Excel 对照表), ``kb.present``, ``kb.cli`` and ``web``. The
methods are pure (``align``: measures → alignment; ``regions``: series → rows); ``plans`` gathers their input
from a ``KnowledgeBase``. Not in ``kb.extract``: extraction reads one document's text at build time, a comparison
reads two documents' stored knowledge and the series built over the whole library, at request time.
"""
