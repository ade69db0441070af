"""Build or update the index from the documents folders, in four named steps; the only code that writes a generation.

1. **plan** (``kb.build.scan``, ``kb.build.plan``): scan the folders (regular files only; links that leave the
   folders, links to folders, devices and FIFOs are refused by name), hash every file with a bounded read, give
   each a unique, stable document id (from any file name, valid UTF-8 or not), and decide from the live
   generation's manifest what must be (re)analysed.
2. **analyse** (``kb.build.workers``): read and analyse the changed files in worker processes, each file with a
   time budget and each worker with a memory ceiling; a file that cannot be read, fails or runs out of time or
   memory costs only itself; a worker that dies is replaced and its file tried once more.
3. **write** (``kb.build.write``, ``kb.build.catalog``): a complete new generation aside (``.tmp-gen-*``): the JSON
   knowledge and the search index made from it.
4. **publish** (``kb.build.publish``): one atomic rename of ``CURRENT``.

``kb.build.run.build`` runs them under the build lock. The build sits above the store (generations, codec, read
API) and the search index it writes; nothing below it imports it.
"""

from __future__ import annotations

from kb.build.report import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_REJECTED, BuildError, BuildReport
from kb.build.run import build
from kb.build.scan import IGNORED_FILES, SourceFile, display_name, hash_files
from kb.build.status import STATUS_FILE
from kb.build.workers import file_seconds

__all__ = [
    "EXIT_FAILED",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "IGNORED_FILES",
    "STATUS_FILE",
    "BuildError",
    "BuildReport",
    "SourceFile",
    "build",
    "display_name",
    "file_seconds",
    "hash_files",
]
