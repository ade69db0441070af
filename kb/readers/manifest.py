"""Optional sidecar metadata: a ``MANIFEST.jsonl`` next to the documents.

Each line is a JSON object with a ``file`` field (a name or a relative path)
and any of ``title, agency, date, doc_number, index_no, category, url,
source_url``. Rows are matched on the file name. Parsing is cached per
folder and manifest modification time; a broken manifest (or broken lines) is
ignored, never an error for the document.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path, PurePosixPath

from kb.readers.text import ENGLISH_KEYS, clean_meta

MANIFEST_NAME = "MANIFEST.jsonl"


@functools.lru_cache(maxsize=64)
def _load(folder: str, mtime_ns: int) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    try:
        with open(Path(folder) / MANIFEST_NAME, encoding="utf-8-sig") as handle:
            for line in handle:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(row, dict) or not isinstance(row.get("file"), str):
                    continue
                meta: dict[str, str] = {}
                for field, key in ENGLISH_KEYS.items():
                    value = row.get(field)
                    if isinstance(value, (str, int)) and str(value).strip() and not meta.get(key):
                        meta[key] = str(value)
                name = PurePosixPath(row["file"].replace("\\", "/")).name
                rows.setdefault(name, clean_meta(meta))
    except (OSError, UnicodeDecodeError):
        return {}
    return rows


def manifest_meta(path: Path) -> dict[str, str]:
    """Metadata for ``path`` from its folder's MANIFEST.jsonl, or {} when there is none."""
    manifest = path.parent / MANIFEST_NAME
    try:
        mtime_ns = manifest.stat().st_mtime_ns
    except OSError:
        return {}
    return dict(_load(str(path.parent.resolve()), mtime_ns).get(path.name, {}))


def merge(own: dict[str, str], inferred: set[str], sidecar: dict[str, str]) -> dict[str, str]:
    """The file's stated metadata wins; the manifest beats values the reader only guessed."""
    merged = dict(own)
    for key, value in sidecar.items():
        if not value:
            continue
        if not merged.get(key) or key in inferred:
            merged[key] = value
    return merged
