"""Step 4 of a build: seal the generation (meta.json), move it into place and make it live with one atomic rename
of ``CURRENT``."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from kb.build.write import failure
from kb.store.generations import publish, remove_stale, write_json


def publish_generation(index_dir: Path, tmp: Path, name: str, stamp: str, catalog: dict[str, Any]) -> Path:
    """Seal the generation (meta.json), move it into place and make it live with one atomic rename."""
    try:
        write_json(
            tmp / "meta.json",
            {"fingerprint": stamp, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "stats": catalog["meta"]},
        )
        final = index_dir / name
        os.replace(tmp, final)
        publish(index_dir, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise failure(exc, tmp) from exc
    remove_stale(index_dir)
    return final
