"""``policykb build`` with the PostgreSQL writer's segmentation memoized by text — for scale runs whose copies
are the same texts (``bench/derive.py``), never for a measured build.

Usage: ``.venv/bin/python bench/memo_build.py build --documents … --index … --backend postgresql://…``

The derived copies of a scale run repeat their original's text exactly, and the build adds them next to each
other (documents in id order: ``x``, ``x_r1``, ``x_r2``…), so a small cache of the last texts' tokens makes
segmenting them nearly free. The index written is the same as without it (the same tokens); only the build time is
not that of 10⁵ different texts — bench/README.md reports that time as an estimate from measured rates.
"""

from __future__ import annotations

import functools
import sys

from kb.search.backends.postgresql import writer

writer.field_tokens = functools.lru_cache(maxsize=4096)(writer.field_tokens)  # type: ignore[assignment]

if __name__ == "__main__":
    from kb.cli import main

    sys.exit(main(sys.argv[1:]))
