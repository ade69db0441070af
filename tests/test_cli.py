"""The policykb command: JSON shapes, tables, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kb.cli import main

SEED_ID = "000_3ccc218f3f77786b"


@pytest.fixture(scope="module")
def index(tmp_path_factory, seed_path: Path) -> Path:
    root = tmp_path_factory.mktemp("cli")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy(seed_path, docs / seed_path.name)
    assert (
        main(["build", "--documents", str(docs), "--index", str(root / "index"), "--quiet", "--procs", "1"])
        == 0
    )
    return root / "index"


def run_json(capsys, *args: str):
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_documents_json_has_every_metadata_field(index: Path, capsys):
    (doc,) = run_json(capsys, "documents", "--index", str(index))
    assert doc == doc | {
        "id": SEED_ID,
        "title": "十堰市2019年科技创新工作要点",
        "agency": "十堰市科学技术局",
        "date": "2019-07-08",
        "doc_number": "",
        "index_no": "011081248/2019-00001",
        "category": "其他",
        "source": f"{SEED_ID}.txt",
        "url": f"/documents/{SEED_ID}",
    }


def test_measures_json_lists_the_ten_measures_in_order(index: Path, capsys):
    measures = run_json(capsys, "measures", "--index", str(index), "--doc", SEED_ID)
    assert [m["number"] for m in measures] == [f"({n})" for n in "一二三四五六七八九十"]
    assert [m["ordinal"] for m in measures] == list(range(1, 11))
    six = measures[5]
    assert six["path"] == ["三、主要措施", "(六)"]
    assert six["headline"] == "着力加强知识产权保护与运用,增强科技创新驱动力。"
    assert six["text"].startswith("(六)着力加强知识产权") and six["text"].endswith("违法行为。")
    assert "知识产权" in six["categories"]
    assert set(six) >= {"id", "doc_id", "targets", "url"}
    for ref in six["targets"]:
        assert set(ref) == {"id", "score", "evidence"}


def test_measures_can_be_filtered_by_category(index: Path, capsys):
    measures = run_json(capsys, "measures", "--index", str(index), "--category", "知识产权")
    assert "(六)" in [m["number"] for m in measures]
    assert all("知识产权" in m["categories"] for m in measures)


def test_targets_json_fields(index: Path, capsys):
    targets = run_json(capsys, "targets", "--index", str(index))
    patents = next(t for t in targets if t["indicator"] == "发明专利申请量")
    assert (patents["value"], patents["unit"]) == (2100, "件")
    text = (index.parent / "documents" / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    assert patents["text"] in text
    assert set(patents) >= {"id", "doc_id", "qualifier", "deadline", "span", "measure_ids", "url"}
    assert f"{SEED_ID}.m3.6" in patents["measure_ids"]


def test_show_returns_any_type_by_id(index: Path, capsys):
    assert run_json(capsys, "show", f"{SEED_ID}.m3.6", "--index", str(index))["type"] == "measure"
    clause = run_json(capsys, "show", f"{SEED_ID}.s3", "--index", str(index))
    assert clause["type"] == "clause" and clause["path"] == ["三、主要措施"]
    assert run_json(capsys, "show", SEED_ID, "--index", str(index))["type"] == "document"


def test_unknown_id_exits_1_with_a_message(index: Path, capsys):
    assert main(["show", "no-such-id", "--index", str(index)]) == 1
    assert "未找到" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert main(["measures", "--no-such-option"]) == 2
    assert "--no-such-option" in capsys.readouterr().err
    assert main(["search", "--type", "bogus"]) == 2
    assert main(["no-such-command"]) == 2


def test_help_lists_every_command_and_exits_0(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("build", "search", "targets", "results", "cite", "export", "serve", "users"):
        assert command in out


def test_missing_index_is_a_clear_message(tmp_path: Path, capsys):
    assert main(["documents", "--index", str(tmp_path / "nothing")]) == 1
    assert "policykb build" in capsys.readouterr().err


def test_tables_line_up_without_json(index: Path, capsys):
    assert main(["measures", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "着力加强知识产权保护与运用" in out and len(out.splitlines()) == 12


def test_cite_prints_the_official_citation(index: Path, capsys):
    assert main(["cite", f"{SEED_ID}.m3.6", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(
        "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）三、主要措施（六）"
    )
    assert main(["cite", f"{SEED_ID}.t2.2-2", "--style", "gbt7714", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "二、主要目标第二项\n十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08." in out
    assert "/targets/" not in out  # no relative address of the site


def test_export_markdown_and_docx(index: Path, tmp_path: Path, capsys):
    ids = [f"{SEED_ID}.m3.6", f"{SEED_ID}.m3.3"]
    assert main(["export", *ids, "--format", "md", "--index", str(index)]) == 0
    md = capsys.readouterr().out
    assert "> (六)着力加强知识产权保护与运用" in md and "> (三)扎实做好科技与经济融通发展" in md
    out = tmp_path / "report.docx"
    assert main(["export", *ids, "--format", "docx", "-o", str(out), "--index", str(index)]) == 0
    import docx

    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "严厉打击侵犯知识产权和制售假冒伪劣商品违法行为。" in text
    assert "\n引用文件\n" in text and document.core_properties.author == "政策知识库"
    assert (
        main(
            [
                "export",
                *ids,
                "--style",
                "gbt7714-2025",
                "--author",
                "十堰市科学技术局",
                "-o",
                str(out),
                "--format",
                "docx",
                "--index",
                str(index),
            ]
        )
        == 0
    )
    document = docx.Document(str(out))
    assert "参考文献" in [p.text for p in document.paragraphs]
    assert document.core_properties.author == "十堰市科学技术局"
    assert main(["export", *ids, "--style", "gbt7714", "--index", str(index)]) == 0
    md = capsys.readouterr().out
    assert "出处：《十堰市2019年科技创新工作要点》三、主要措施（六）[1]" in md and "\\[" not in md
