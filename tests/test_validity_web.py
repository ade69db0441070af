"""Validity on the site (issue 30): 效力级别, 施行日期, 有效期 and 时效性 on the document page and in its JSON, as
filters and facets of the search (``level``, ``validity``) and of the category pages; the status is the day's."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import SEED

from kb.build import build
from kb.search.engine import SearchEngine
from kb.store.knowledge import KnowledgeBase

PATENT = """专利代理条例

发文日期
2018年11月06日 00:00:00
发布机构
国务院
文号
国令第706号
中华人民共和国国务院令 第706号

《专利代理条例》已经2018年9月6日国务院第23次常务会议修订通过，现将修订后的《专利代理条例》公布，自2019年3月1日起施行。

第一章 总则

第一条 为了规范专利代理行为，保障委托人、专利代理机构和专利代理师的合法权益，制定本条例。

第二条 本条例所称专利代理，是指专利代理机构接受委托办理专利申请等专利事务的行为。
"""

EXPIRED = """某市科技创新券管理办法

发文日期
2019年12月20日 00:00:00
发布机构
某市人民政府
文号
某市人民政府令第3号

第一条 为了支持科技型中小企业购买科技服务，制定本办法。

第二条 科技创新券用于企业购买研发、检验检测和技术转移服务。

第三条 本办法自2020年1月1日起施行，有效期2年。
"""

FUTURE = """# 某市促进成果转化条例

2098年10月1日 某市人民代表大会常务委员会通过

<!-- INFO END -->

第一条 为了促进科技成果转化，制定本条例。

第二条 本条例自2099年1月1日起施行。
"""

OLD_LAW = """# 某市科技进步条例

2008年5月1日 某市人民代表大会常务委员会通过

<!-- INFO END -->

第一条 为了促进科技进步，制定本条例。
"""

DECISION = """# 某市人民代表大会常务委员会关于废止部分地方性法规的决定

2022年3月1日 某市人民代表大会常务委员会通过

<!-- INFO END -->

某市人民代表大会常务委员会决定：

一、废止《某市科技进步条例》（2008年5月1日某市人民代表大会常务委员会通过）

本决定自公布之日起施行。
"""

FILES = {
    "patent.txt": PATENT,
    "expired.txt": EXPIRED,
    "future.md": FUTURE,
    "old_law.md": OLD_LAW,
    "decision.md": DECISION,
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("validity")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy2(SEED, docs / SEED.name)
    for name, text in FILES.items():
        (docs / name).write_text(text, encoding="utf-8")
    report = build([docs], root / "index", procs=1, quiet=True)
    assert report.published and not report.rejected, report.rejected
    return root / "index"


@pytest.fixture(scope="module")
def client(index_dir: Path):  # type: ignore[no-untyped-def]
    from web import create_app

    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def validity(client, doc_id: str) -> dict:  # type: ignore[no-untyped-def]
    return client.get(f"/api/documents/{doc_id}").get_json()["validity"]


def test_the_patent_agency_regulation_shows_its_level_start_and_status(client) -> None:  # type: ignore[no-untyped-def]
    v = validity(client, "patent")
    assert (v["level"], v["in_force_from"], v["status"]) == ("行政法规", "2019-03-01", "现行有效")
    assert v["from_basis"] == "自2019年3月1日起施行" and "国务院" in v["level_basis"]
    body = client.get("/documents/patent").get_data(as_text=True)
    for words in (
        "效力级别",
        "行政法规",
        "施行日期",
        "2019-03-01",
        "时效性",
        "现行有效",
        "自2019年3月1日起施行",
    ):
        assert words in body, words


def test_each_status_on_the_day_of_the_request(client) -> None:  # type: ignore[no-untyped-def]
    expired = validity(client, "expired")
    assert (expired["level"], expired["in_force_until"], expired["status"]) == (
        "地方政府规章",
        "2021-12-31",
        "已失效",
    )
    assert expired["until_basis"] == "有效期2年" and "2021-12-31" in expired["reason"]
    future = validity(client, "future")
    assert (future["level"], future["status"]) == ("地方性法规", "尚未施行")
    old = validity(client, "old_law")
    assert (
        old["status"] == "已废止" and old["by"] == "decision"
    )  # another document of the knowledge base says so
    assert validity(client, SEED.stem)["level"] == "工作文件"


def test_level_and_validity_filter_and_count_in_the_search(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search?type=document&q=").get_json()
    data = client.get("/api/search?type=document").get_json()
    levels = {f["value"]: f["count"] for f in data["facets"]["level"]}
    statuses = {f["value"]: f["count"] for f in data["facets"]["validity"]}
    assert levels["行政法规"] == 1 and levels["地方性法规"] >= 2
    assert statuses["已失效"] == 1 and statuses["尚未施行"] == 1 and statuses["已废止"] == 1
    assert statuses["现行有效"] == sum(statuses.values()) - 3
    for name, counts in (("level", levels), ("validity", statuses)):
        for value, count in counts.items():
            narrowed = client.get(f"/api/search?type=document&{name}={quote(value)}").get_json()
            assert narrowed["total"] == count, (name, value)
    expired = client.get("/api/search?type=document&validity=已失效").get_json()
    assert [hit["doc_id"] for hit in expired["results"]] == ["expired"]
    body = client.get("/search?q=专利").get_data(as_text=True)
    assert "效力级别" in body and "时效性" in body


def test_the_status_facet_follows_the_clock(index_dir: Path) -> None:
    kb = KnowledgeBase.open(index_dir)

    def statuses(day: date) -> dict[str, int]:
        engine = SearchEngine(index_dir, clock=lambda: day, validity_evidence=kb.validity_evidence)
        return dict(engine.search("", type="document", validity="已失效").facets["validity"])

    assert statuses(date(2021, 6, 1)).get("已失效", 0) == 0  # within its two years
    assert statuses(date(2022, 1, 1))["已失效"] == 1
    in_2100 = SearchEngine(index_dir, clock=lambda: date(2100, 1, 1)).search("", type="document")
    assert "尚未施行" not in dict(in_2100.facets["validity"])


def test_category_pages_filter_and_count_by_level_and_validity(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/categories/" + quote("知识产权", safe="")).get_json()
    assert set(data["facets"]) >= {"level", "validity"}
    for name in ("level", "validity"):
        for option in data["facets"][name]:
            narrowed = client.get(
                "/api/categories/" + quote("知识产权", safe="") + f"?{name}={quote(option['value'])}"
            ).get_json()
            assert narrowed["total"] == option["count"]
    group = data["groups"][0]
    assert group["validity"]["level"] and group["validity"]["status"]


def test_the_cli_filters_and_counts_validity_as_the_site_does(client, index_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`policykb search --validity/--level` answer as /api/search, the abolished regulation included (its status
    comes from another document of the knowledge base)."""
    from kb.cli import main

    site = client.get("/api/search?type=document&validity=" + quote("已废止")).get_json()
    assert (
        main(["search", "--index", str(index_dir), "--type", "document", "--validity", "已废止", "--json"])
        == 0
    )
    cli = json.loads(capsys.readouterr().out)
    assert cli["total"] == site["total"] == 1
    assert [h["doc_id"] for h in cli["results"]] == [h["doc_id"] for h in site["results"]]
    assert (
        main(["search", "--index", str(index_dir), "--type", "document", "--level", "行政法规", "--json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["total"] == 1
