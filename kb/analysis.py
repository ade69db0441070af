"""Old import path of the jieba analyzers, kept because Whoosh pickles it into every index schema.

Indexes built before the package layout moved name ``kb.analysis.ChineseAnalyzer`` and friends; unpickling them
must keep working. New code imports ``kb.search.analysis``.
"""

from kb.search.analysis import (  # noqa: F401
    BigramAnalyzer,
    BigramTokenizer,
    ChineseAnalyzer,
    JiebaTokenizer,
)
