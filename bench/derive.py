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
    quantities = catalog["quantities"]
    catalog["meta"] = {  # the build recomputes these (make_catalog over the reused entries)
        "documents": len(catalog["documents"]),
        "measures": len(catalog["measures"]),
        "targets": sum(q["kind"] == "target" for q in quantities),
        "results": sum(q["kind"] == "result" for q in quantities),
        "links": sum(len(m.get("targets", [])) for m in catalog["measures"]),
    }
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
    parser.add_argument(
        "--database", help="write straight into this PostgreSQL database instead (INDEX unused)"
    )
    args = parser.parse_args()
    if args.analyse:
        print(analyse_originals(args.docs, args.analysed), flush=True)
    if args.database:
        (args.analysed / "catalog-rows.jsonl").unlink(missing_ok=True)
        print(write_database(args.analysed, args.docs, args.database), flush=True)
        return
    if args.index.exists():
        shutil.rmtree(args.index)
    print(derive(args.analysed, args.docs, args.index), flush=True)


def write_database(analysed: Path, docs: Path, url: str, procs: int = 2) -> dict[str, Any]:
    """Write the 10⁵ knowledge base straight into PostgreSQL from ``analysed`` (the r0 analyses), streaming:
    every file of ``docs`` as its original's knowledge with renamed ids, segmentation memoized across the identical
    copies (``bench/memo_build.py``). The build's catalog step holds the whole catalog in memory, which at 10⁵
    documents does not fit this machine beside the others' jobs (bench/README.md); here each document's entries go
    to the database as it is added. References are left unresolved and no indicator series are made."""
    import functools

    from kb.model import to_dict
    from kb.search.backends.postgresql import writer as pg

    pg.field_tokens = functools.lru_cache(maxsize=4096)(pg.field_tokens)  # type: ignore[assignment]
    started = time.monotonic()
    files, _refused = scan([docs])
    ids, _notes = assign_ids(files, {})
    by_relative = {f.relative: f for f in files}
    plan: list[tuple[str, str]] = []  # (document id, original id), copies next to their original
    for source in files:
        match = _COPY.match(source.relative)
        original = by_relative.get(f"r0/{match['dir']}{match['stem']}{match['suffix']}") if match else source
        if original is not None and (analysed / "docs" / f"{ids[original.key]}.json").is_file():
            plan.append((ids[source.key], ids[original.key]))
    plan.sort()
    name = GEN_PREFIX + time.strftime("%Y%m%d-%H%M%S-000000")
    writer = pg.PostgresWriter(url, name, procs)
    counts = {"documents": 0, "measures": 0, "targets": 0, "results": 0, "links": 0}
    pending: list[tuple[list[Any], list[Any], list[Any]]] = []
    cached_id, cached_text = "", ""
    try:
        for doc_id, original_id in plan:
            if original_id != cached_id:
                cached_id = original_id
                cached_text = (analysed / "docs" / f"{original_id}.json").read_text(encoding="utf-8")
            text = (
                cached_text if doc_id == original_id else cached_text.replace(f'"{original_id}', f'"{doc_id}')
            )
            data = json.loads(text)
            dkb = kb_from_dict(data)
            writer.add(dkb, data)
            entry = to_dict(dkb.document)
            entry.pop("text", None)
            entry["counts"] = {"measures": len(dkb.measures), "targets": len(dkb.targets),
                               "results": len(dkb.results), "links": len(dkb.links)}  # fmt: skip
            entry["references"] = [
                {
                    "text": r.text,
                    "form": r.form,
                    "resolved_id": "",
                    "clause_id": r.clause_id,
                    "relation": r.relation,
                }
                for r in dkb.references
            ]
            pending.append(([entry], to_dict(dkb.measures), to_dict(dkb.quantities)))
            counts["documents"] += 1
            counts["measures"] += len(dkb.measures)
            counts["targets"] += len(dkb.targets)
            counts["results"] += len(dkb.results)
            counts["links"] += sum(len(m.targets) for m in dkb.measures)
            if len(pending) >= 500:  # the catalog rows wait for the commit's partitions: keep them on disk
                _spill(analysed, pending)
        writer.commit()
        added = time.monotonic() - started
        writer.begin_catalog()
        for documents, measures, quantities in _unspill(analysed, pending):
            writer.add_catalog(documents, measures, quantities)
        categories = [
            {"name": c.name, "description": c.description} for c in load_extraction().taxonomy.categories
        ]
        writer.end_catalog(counts, categories, [], {}, {"error": "missing"})
        writer.close()
        pg.publish(url, name)
    except BaseException:
        writer.cancel()
        raise
    return {**counts, "name": name, "add+commit s": round(added), "seconds": round(time.monotonic() - started),
            **{k: round(v) for k, v in writer.timings.items()}}  # fmt: skip


def _spill(analysed: Path, pending: list[Any]) -> None:
    with open(analysed / "catalog-rows.jsonl", "a", encoding="utf-8") as handle:
        for item in pending:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    pending.clear()


def _unspill(analysed: Path, pending: list[Any]) -> Any:
    path = analysed / "catalog-rows.jsonl"
    if path.exists():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)
        path.unlink()
    yield from pending


if __name__ == "__main__":
    main()
