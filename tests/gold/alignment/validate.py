#!/usr/bin/env python3
"""Check the measure-alignment gold files (tests/gold/alignment/pairs/*.toml).

    python tests/gold/alignment/validate.py [file.toml ...]

Stdlib only. The corpus is read from $POLICYKB_CORPUS, else <repo>/../shared/corpus (as tests/conftest.py does).
Exit status 1 when any file has an error; warnings are printed but do not fail. See README.md in this folder
for the format.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent  # tests/gold
ROOT = GOLD.parent.parent  # repository root
# The pair files sit one level below tests/gold/*/ so that the per-document gold loader (bench/gold.py,
# tests/gold/*/*.toml) does not read them.
PAIRS = HERE / "pairs"
CORPUS = Path(os.environ.get("POLICYKB_CORPUS") or ROOT.parent / "shared" / "corpus")

DOC_RELATIONS = {"successor", "peer"}
PAIR_RELATIONS = {"kept", "changed"}
SPLITS = {"dev", "test"}
HEADLINE_MAX = 20

# ---------------------------------------------------------------- labels and places

_FOLD = str.maketrans({"(": "（", ")": "）", "．": ".", "、": "、", "　": " "})


def fold(label: str) -> str:
    """Fold full/half-width forms and drop spaces, as the gold scorer does for path elements."""
    label = label.translate(_FOLD)
    label = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in label)
    return re.sub(r"\s+", "", label)


_CN = "一二三四五六七八九十百零〇"
LABEL_KINDS = {
    "cn_dun": re.compile(rf"[{_CN}]+、"),
    "cn_paren": re.compile(rf"（[{_CN}]+）"),
    "num_paren": re.compile(r"（\d+）"),
    "num_dot": re.compile(r"\d+[.、]"),
    "circled": re.compile(r"[①-⑳]"),
    "article": re.compile(rf"第[{_CN}\d]+[编章节条]"),
    "bracket": re.compile(r"\[\d+\]"),
}


def label_kind(element: str) -> str | None:
    e = fold(element)
    for kind, rx in LABEL_KINDS.items():
        if rx.fullmatch(e):
            return kind
    return None


class Doc:
    """A corpus text with a folded copy for label search (same length, so offsets agree)."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        # fold character by character so that offsets stay aligned with the original text
        f = self.text.translate(_FOLD)
        self.folded = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in f)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def _at_line_start(self, pos: int) -> bool:
        i = pos - 1
        while i >= 0 and self.text[i] in " \t\u3000":
            i -= 1
        return i < 0 or self.text[i] == "\n"

    def occurrences(self, element: str, line_start_only: bool) -> list[int]:
        e = fold(element)
        out, i = [], self.folded.find(e)
        while i >= 0:
            if not line_start_only or self._at_line_start(i):
                out.append(i)
            i = self.folded.find(e, i + 1)
        return out

    def labelled_line_starts(self, kind: str) -> list[tuple[int, str]]:
        """Positions and folded labels of every label of this kind that opens a line."""
        rx = LABEL_KINDS[kind]
        out = []
        for s in self.line_starts:
            j = s
            while j < len(self.text) and self.text[j] in " \t\u3000":
                j += 1
            m = rx.match(self.folded, j)
            if m:
                out.append((j, m.group(0)))
        return out

    def locate(self, path: list[str], headline: str | None) -> tuple[int | None, str]:
        """Find the unit a path names. Returns (position after its label, problem or '')."""
        if not path:
            return None, "empty path"
        last = path[-1]
        cands = self.occurrences(last, line_start_only=label_kind(last) is not None)
        if not cands:
            cands = self.occurrences(last, line_start_only=False)
        if not cands:
            return None, f"path element {last!r} not found in the text"
        if headline:
            hl = fold(headline)
            near = []
            for c in cands:
                after = c + len(fold(last))
                rest = self.folded[after : after + len(hl) + 40].lstrip(" \t\n\u3000")
                # a label is followed by its heading; an unnumbered heading element may itself be the headline
                if rest.startswith(hl) or (label_kind(last) is None and self.folded.startswith(hl, c)):
                    near.append(after)
            if not near:
                return None, f"headline {headline!r} does not follow any occurrence of {last!r}"
            cands = near
        else:
            cands = [c + len(fold(last)) for c in cands]
        problems = []
        for pos in cands:
            ok, why = self._ancestors_ok(path[:-1], pos)
            if ok:
                return pos, ""
            problems.append(why)
        return None, problems[0]

    def _ancestors_ok(self, ancestors: list[str], pos: int) -> tuple[bool, str]:
        limit = pos
        for element in reversed(ancestors):
            kind = label_kind(element)
            if kind is None:  # an unnumbered heading or a part title: it must occur before
                occ = [o for o in self.occurrences(element, False) if o < limit]
                if not occ:
                    return False, f"ancestor {element!r} not found before its child"
                limit = occ[-1]
                continue
            before = [(p, lab) for p, lab in self.labelled_line_starts(kind) if p < limit]
            if not before:
                occ = [o for o in self.occurrences(element, False) if o < limit]
                if not occ:
                    return False, f"ancestor {element!r} not found before its child"
                limit = occ[-1]
                continue
            p, lab = before[-1]
            if lab != fold(element):
                return False, f"nearest {kind} label above the unit is {lab!r}, not {element!r}"
            limit = p
        return True, ""


# ---------------------------------------------------------------- gold measures of a document


def gold_measures(rel: str) -> dict[tuple[str, ...], str] | None:
    """The [[measures]] (folded path -> headline) of tests/gold/<collection>/<stem>.toml, if that file exists."""
    p = GOLD / (str(Path(rel).with_suffix(".toml")))
    if not p.is_file():
        return None
    data = tomllib.loads(p.read_text(encoding="utf-8"))
    return {tuple(fold(x) for x in m["path"]): m["headline"] for m in data.get("measures", [])}


# ---------------------------------------------------------------- checks


def _ordinal(label: str) -> int | None:
    e = fold(label)
    digits = re.sub(r"\D", "", e)
    if digits:
        return int(digits)
    cn = re.sub(rf"[^{_CN}]", "", e)
    if not cn:
        return None
    vals = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if cn == "十":
        return 10
    if "十" in cn:
        a, _, b = cn.partition("十")
        return (vals.get(a, 1) if a else 1) * 10 + (vals.get(b, 0) if b else 0)
    return vals.get(cn)


def _cn_numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def _render(kind: str, n: int) -> str | None:
    """The label of ordinal n in a numbering kind (folded form), for the kinds a work report uses."""
    if not 0 < n < 100:
        return None
    return {
        "cn_dun": f"{_cn_numeral(n)}、",
        "cn_paren": f"（{_cn_numeral(n)}）",
        "num_paren": f"（{n}）",
        "num_dot": f"{n}.",
    }.get(kind)


def check_file(path: Path) -> tuple[list[str], list[str], dict]:
    errors: list[str] = []
    warnings: list[str] = []
    stats: dict = {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return [f"not valid TOML: {exc}"], [], stats

    for key in ("a", "b", "relation", "split", "notes"):
        if not isinstance(data.get(key), str) or not data.get(key):
            errors.append(f"missing or empty top-level {key!r}")
    if errors:
        return errors, warnings, stats
    unknown = set(data) - {"a", "b", "relation", "split", "notes", "pairs", "dropped", "new", "targets"}
    if unknown:
        errors.append(f"unknown top-level keys: {sorted(unknown)}")
    if data["relation"] not in DOC_RELATIONS:
        errors.append(f"relation {data['relation']!r} not in {sorted(DOC_RELATIONS)}")
    if data["split"] not in SPLITS:
        errors.append(f"split {data['split']!r} not in {sorted(SPLITS)}")
    expected_name = f"{Path(data['a']).stem}__{Path(data['b']).stem}.toml"
    if path.name != expected_name:
        errors.append(f"file should be named {expected_name}")

    docs: dict[str, Doc] = {}
    for side in ("a", "b"):
        src = CORPUS / data[side]
        if not src.is_file():
            errors.append(f"source {side} = {data[side]!r} not found under {CORPUS}")
        else:
            docs[side] = Doc(src)
    if len(docs) < 2:
        return errors, warnings, stats

    # every measure of a side, with where it was listed
    seen: dict[str, dict[tuple[str, ...], list[str]]] = {"a": {}, "b": {}}

    def check_measure(side: str, where: str, mpath, headline) -> None:
        if not isinstance(mpath, list) or not mpath or not all(isinstance(x, str) and x for x in mpath):
            errors.append(f"{where}: path must be a non-empty list of strings")
            return
        if not isinstance(headline, str) or not headline:
            errors.append(f"{where}: headline missing")
            headline = None
        elif len(headline) > HEADLINE_MAX:
            errors.append(f"{where}: headline longer than {HEADLINE_MAX} characters: {headline!r}")
        elif headline not in docs[side].text:
            errors.append(f"{where}: headline {headline!r} is not a verbatim substring of {data[side]}")
        _, problem = docs[side].locate(mpath, headline)
        if problem:
            errors.append(f"{where}: path {mpath}: {problem}")
        seen[side].setdefault(tuple(fold(x) for x in mpath), []).append(where)
        gm = gold[side]
        if gm is not None:
            key = tuple(fold(x) for x in mpath)
            if key not in gm:
                errors.append(
                    f"{where}: path {mpath} is not a [[measures]] path of the gold file of {data[side]}"
                )
            elif headline and gm[key] != headline:
                errors.append(f"{where}: headline {headline!r} differs from the gold file's {gm[key]!r}")

    gold = {side: gold_measures(data[side]) for side in ("a", "b")}

    pairs = data.get("pairs", [])
    n_rel = {"kept": 0, "changed": 0}
    for i, p in enumerate(pairs, 1):
        where = f"pairs[{i}]"
        unknown = set(p) - {"a", "b", "a_headline", "b_headline", "relation", "why"}
        if unknown:
            errors.append(f"{where}: unknown keys {sorted(unknown)}")
        check_measure("a", where + ".a", p.get("a"), p.get("a_headline"))
        check_measure("b", where + ".b", p.get("b"), p.get("b_headline"))
        rel = p.get("relation")
        if rel not in PAIR_RELATIONS:
            errors.append(f"{where}: relation {rel!r} not in {sorted(PAIR_RELATIONS)}")
        else:
            n_rel[rel] += 1
        if not isinstance(p.get("why"), str) or not p.get("why").strip():
            errors.append(f"{where}: why missing")
    for key, side in (("dropped", "a"), ("new", "b")):
        for i, d in enumerate(data.get(key, []), 1):
            where = f"{key}[{i}]"
            unknown = set(d) - {"path", "headline"}
            if unknown:
                errors.append(f"{where}: unknown keys {sorted(unknown)}")
            check_measure(side, where, d.get("path"), d.get("headline"))

    for side in ("a", "b"):
        for mpath, wheres in seen[side].items():
            if len(wheres) > 1:
                errors.append(
                    f"measure {list(mpath)} of side {side} listed {len(wheres)} times: {', '.join(wheres)}"
                )
        gm = gold[side]
        if gm is not None:
            missing = [list(k) for k in gm if k not in seen[side]]
            if missing:
                errors.append(
                    f"measures of the gold file of {data[side]} not aligned (side {side}): {missing}"
                )
        else:
            # no gold file: check each numbered run of siblings (measures and the sections that hold them)
            units = {m[:i] for m in seen[side] for i in range(1, len(m) + 1)}
            by_parent: dict[tuple[str, ...], list[int]] = {}
            for u in units:
                kind, n = label_kind(u[-1]), _ordinal(u[-1])
                if kind and n is not None:
                    by_parent.setdefault((*u[:-1], kind), []).append(n)
            for parent, nums in by_parent.items():
                nums.sort()
                gaps = sorted(set(range(1, nums[-1] + 1)) - set(nums))
                if gaps and len(parent) > 1:  # top-level gaps are the review sections
                    warnings.append(
                        f"side {side}: under {list(parent[:-1])} the {parent[-1]} units skip "
                        f"ordinal(s) {gaps} (fine when those units are not measures; say so in notes)"
                    )
                nxt = _render(parent[-1], nums[-1] + 1)
                nxt_path = [*parent[:-1], nxt]
                if nxt and docs[side].locate(nxt_path, None)[0] is not None:
                    errors.append(
                        f"side {side}: unit {nxt_path} follows the last aligned sibling "
                        f"but is neither paired nor listed"
                    )

    targets = data.get("targets", [])
    for i, t in enumerate(targets, 1):
        where = f"targets[{i}]"
        unknown = set(t) - {"indicator", "a", "b"}
        if unknown:
            errors.append(f"{where}: unknown keys {sorted(unknown)}")
        if not isinstance(t.get("indicator"), str) or not t.get("indicator"):
            errors.append(f"{where}: indicator missing")
        vals = {}
        for side in ("a", "b"):
            v = t.get(side)
            if not isinstance(v, str):
                errors.append(f'{where}: {side} must be a string ("" when that side has none)')
                continue
            vals[side] = v
            if v and v not in docs[side].text:
                errors.append(f"{where}: {side} mention {v!r} is not a verbatim substring of {data[side]}")
        if vals and not any(vals.values()):
            errors.append(f"{where}: both mentions empty")

    stats = {
        "kept": n_rel["kept"],
        "changed": n_rel["changed"],
        "dropped": len(data.get("dropped", [])),
        "new": len(data.get("new", [])),
        "targets": len(targets),
        "targets_both": sum(1 for t in targets if t.get("a") and t.get("b")),
        "measures_a": len(seen["a"]),
        "measures_b": len(seen["b"]),
    }
    return errors, warnings, stats


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted(PAIRS.glob("*.toml"))
    if not files:
        print("no alignment files found")
        return 1
    failed = 0
    for f in files:
        errors, warnings, st = check_file(f)
        status = "FAIL" if errors else "ok"
        summary = (
            f"A {st['measures_a']} / B {st['measures_b']} measures; kept {st['kept']}, changed {st['changed']}, "
            f"dropped {st['dropped']}, new {st['new']}; targets {st['targets']} ({st['targets_both']} both sides)"
            if st
            else ""
        )
        print(f"{status:4} {f.name}  {summary}")
        for w in warnings:
            print(f"     warning: {w}")
        for e in errors:
            print(f"     error: {e}")
        failed += bool(errors)
    print(f"{len(files) - failed}/{len(files)} files valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
