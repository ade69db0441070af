"""Analyses for scale runs without re-analysing every copy: a JSON generation for ``docs-N`` derived from a
generation that analysed its ``r0`` originals (the corpus).

``bench/scale.py`` makes the copies of round r by appending one line to each original, so that hashes, ids and
text differ. Analysing 10⁵ files takes this machine hours; the index side of a build (segmenting every hit,
posting lists, COPY, indexes) is what the backends differ in. ``derive`` writes, under the index folder, a
generation whose manifest names every file of ``docs`` with its real digest and id, and whose knowledge for a
copy is its original's with the ids renamed (the appended line is not in its text). A build then has nothing to
analyse and writes the whole search index from that JSON — the measured part. The analysis time per document is
measured separately (the analysing builds of 10³ and 10⁴ documents) and added for the estimate of a full build.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

from kb.build.catalog import make_catalog
from kb.build.plan import fingerprint, load_link_overrides
from kb.build.report import BuildReport
from kb.build.scan import assign_ids, hash_files, scan
from kb.extract.pipeline import load_extraction
from kb.store.codec import kb_from_dict
from kb.store.generations import GEN_PREFIX, publish, write_json

_COPY = re.compile(r"^(?P<round>r\d+)/(?P<dir>(?:.*/)?)(?P<stem>[^/]+)_(?P=round)(?P<suffix>\.[^./]+)$")


def derive(analysed: Path, docs: Path, index: Path) -> dict[str, int]:
    """Write a generation for ``docs`` into ``index`` from the per-document JSON of ``analysed`` (a generation or
    a build's temporary generation that analysed the ``r0`` files of ``docs``); make it live.

    The originals go through the build's own catalog code (``make_catalog``); a copy's file and catalog entries
    are its original's with the ids renamed (a string replacement on the JSON, not a re-analysis)."""
    started = time.monotonic()
    files, _refused = scan([docs])
    hash_files(files)
    ids, _notes = assign_ids(files, {})
    by_relative = {f.relative: f for f in files}
    name = GEN_PREFIX + time.strftime("%Y%m%d-%H%M%S-000000")
    gen = index / name
    (gen / "docs").mkdir(parents=True)
    manifest: dict[str, Any] = {}
    texts: dict[str, str] = {}  # original id -> its JSON
    kbs = {}
    copies: list[tuple[str, str]] = []  # (copy id, original id)
    for source in files:
        doc_id = ids[source.key]
        match = _COPY.match(source.relative)
        original = by_relative.get(f"r0/{match['dir']}{match['stem']}{match['suffix']}") if match else source
        original_id = ids[original.key] if original is not None else None
        entry: dict[str, Any] = {"digest": source.digest, "doc_id": doc_id, "relative": source.shown}
        manifest[source.key] = entry
        if original_id is not None and original_id not in texts:
            path = analysed / "docs" / f"{original_id}.json"
            if path.is_file():
                texts[original_id] = path.read_text(encoding="utf-8")
                dkb = kb_from_dict(json.loads(texts[original_id]))
                dkb.document.text = ""
                dkb.outline = []
                kbs[original_id] = dkb
        if original_id is None or original_id not in texts:
            entry["rejected"] = "未分析（原件未分析或被拒收）not analysed (its original was not)"
            continue
        if doc_id == original_id:
            (gen / "docs" / f"{doc_id}.json").write_text(texts[doc_id], encoding="utf-8")
        else:
            copies.append((doc_id, original_id))
            renamed = texts[original_id].replace(f'"{original_id}', f'"{doc_id}')
            (gen / "docs" / f"{doc_id}.json").write_text(renamed, encoding="utf-8")
    catalog = make_catalog({}, set(), kbs, load_extraction(), BuildReport())
    entries: dict[str, dict[str, list[Any]]] = {}
    for kind in ("documents", "measures", "quantities"):
        for item in catalog[kind]:
            owner = item["id"] if kind == "documents" else item["doc_id"]
            entries.setdefault(owner, {}).setdefault(kind, []).append(item)
    for doc_id, original_id in copies:
        renamed = json.loads(json.dumps(entries[original_id]).replace(f'"{original_id}', f'"{doc_id}'))
        for kind, items in renamed.items():
            catalog[kind].extend(items)
    catalog["documents"].sort(key=lambda d: d["id"])
    for key in ("documents", "measures", "targets", "results", "links"):
        catalog["meta"][key] = catalog["meta"].get(key, 0) * (len(copies) + len(kbs)) // max(1, len(kbs))
    write_json(gen / "catalog.json", catalog)
    write_json(gen / "manifest.json", manifest)
    _overrides, digest, _problems = load_link_overrides([docs])
    write_json(gen / "meta.json", {"fingerprint": fingerprint(digest), "stats": catalog["meta"]})
    publish(index, gen)
    return {
        "originals": len(kbs),
        "copies": len(copies),
        "not analysed": sum(1 for e in manifest.values() if e.get("rejected")),
        "seconds": round(time.monotonic() - started),
    }


def analyse_originals(docs: Path, analysed: Path, procs: int = 2) -> dict[str, float]:
    """Analyse the ``r0`` files of ``docs`` not yet in ``analysed/docs`` (the build's own workers, no index);
    returns the count and the rate (the analysis cost per document a full build adds)."""
    from kb.build.plan import Job
    from kb.build.workers import analyse_files

    files, _refused = scan([docs])
    hash_files(files)
    ids, _notes = assign_ids(files, {})
    (analysed / "docs").mkdir(parents=True, exist_ok=True)
    jobs = [
        Job(str(f.folder), str(f.path), f.shown, ids[f.key], f.digest)
        for f in files
        if f.relative.startswith("r0/")
        and not f.digest.startswith("unreadable:")
        and not (analysed / "docs" / f"{ids[f.key]}.json").is_file()
    ]
    started = time.monotonic()
    done = chars = 0
    overrides, _digest, _problems = load_link_overrides([docs])
    for result in analyse_files(jobs, procs, load_extraction(), overrides):
        if result.data is not None:
            write_json(analysed / "docs" / f"{result.data['document']['id']}.json", result.data)
            chars += result.chars
        done += 1
    seconds = time.monotonic() - started
    return {"analysed": done, "seconds": round(seconds), "docs/s": round(done / seconds, 2) if seconds else 0.0,
            "chars/s": round(chars / seconds) if seconds else 0.0}  # fmt: skip


def main() -> None:  # pragma: no cover - a tool
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("analysed", type=Path)
    parser.add_argument("docs", type=Path)
    parser.add_argument("index", type=Path)
    parser.add_argument(
        "--analyse", action="store_true", help="first analyse the r0 files missing in ANALYSED"
    )
    args = parser.parse_args()
    if args.analyse:
        print(analyse_originals(args.docs, args.analysed), flush=True)
    if args.index.exists():
        shutil.rmtree(args.index)
    print(derive(args.analysed, args.docs, args.index), flush=True)


if __name__ == "__main__":
    main()
