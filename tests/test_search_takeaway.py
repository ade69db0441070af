"""Issue 25 on the site: result cards with date, 文种 and agency; every search exported as CSV and .xlsx; its Atom
feed (read by a real feed parser); saved searches per user with what is new since the last visit; the CLI export.

A site over the seed plan and a few short documents written for these cases (one of them starts a measure with a
formula, to test the exports' defence against spreadsheet formula injection)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import feedparser
import openpyxl
import pytest
from conftest import SEED

import web.workspace.accounts as accounts
from kb.build import build
from kb.cite.table import COLUMNS, EXPORT_LIMIT, csv_cell
from kb.cli import main as cli_main
from web import create_app
from web.workspace.accounts import UserStore
from web.workspace.saved import SavedSearches

SEED_ID = SEED.stem

PLAN = """某市知识产权保护工作方案

发布机构
某市市场监督管理局
发文日期
2021年03月15日

一、工作措施

（一）加强知识产权保护。开展知识产权执法专项行动。

（二）=HYPERLINK("http://evil.example","点击")知识产权宣传。
"""

LATER = """某市知识产权运营服务体系建设方案

发布机构
某市人民政府
发文日期
2023年06月01日

一、重点任务

（一）建设知识产权运营服务平台。
"""


@pytest.fixture(autouse=True)
def _cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:4096:8:1")


class Site:
    def __init__(self, base: Path) -> None:
        self.documents = base / "documents"
        self.documents.mkdir(parents=True)
        shutil.copy(SEED, self.documents / SEED.name)
        (self.documents / "plan.txt").write_text(PLAN, encoding="utf-8")
        self.index = base / "index"
        self.build()
        self.instance = base / "instance"
        users = UserStore(self.instance)
        users.add("editor", "editor pass 1")
        users.add("other", "other pass 1")
        self.app = create_app(
            {
                "INDEX_DIR": str(self.index),
                "DOCUMENTS": [str(self.documents)],
                "INSTANCE_DIR": str(self.instance),
                "RELOAD_INTERVAL": 0.0,
                "BUILD_IN_BACKGROUND": False,
            }
        )

    def build(self) -> None:
        assert build([self.documents], self.index, procs=1, quiet=True).published

    def client(self, user: str | None = None):  # type: ignore[no-untyped-def]
        client = self.app.test_client()
        if user is not None:
            token = _token(client.get("/login").get_data(as_text=True))
            response = client.post(
                "/login", data={"username": user, "password": f"{user} pass 1", "csrf_token": token}
            )
            assert response.status_code == 302
            client.csrf = _token(client.get("/workspace").get_data(as_text=True))  # type: ignore[attr-defined]
        return client


def _token(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield Site(tmp_path_factory.mktemp("takeaway"))


# --- cards -------------------------------------------------------------------------------------------


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="hit">([\s\S]*?)</li>', html)


def test_every_card_shows_date_genre_and_agency(site: Site) -> None:
    html = site.client().get("/search?q=知识产权").get_data(as_text=True)
    cards = _cards(html)
    assert len(cards) >= 3
    for card in cards:
        meta = re.search(r'<div class="hit-meta[^"]*">([\s\S]*?)</div>', card)
        assert meta, card
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日|日期未注明", meta.group(1))
        assert 'class="hit-genre"' in meta.group(1) and 'class="hit-agency"' in meta.group(1)
    plan_card = next(c for c in cards if "某市知识产权保护工作方案" in c)
    assert "2021年3月15日" in plan_card and "方案" in plan_card and "某市市场监督管理局" in plan_card
    data = site.client().get("/api/search?q=知识产权").get_json()
    assert all({"date", "genre", "agency", "doc_number"} <= set(hit) for hit in data["results"])


def test_in_date_order_the_date_leads_each_card(site: Site) -> None:
    html = site.client().get("/search?q=知识产权&sort=date").get_data(as_text=True)
    dates = []
    for card in _cards(html):
        head = re.search(r'<div class="hit-head">([\s\S]*?)</div>', card).group(1)  # type: ignore[union-attr]
        assert head.lstrip().startswith('<time class="hit-date"'), head
        dates.append(re.search(r'datetime="([^"]+)"', head).group(1))  # type: ignore[union-attr]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2021-03-15"


def test_the_form_offers_exact_and_broad(site: Site) -> None:
    html = site.client().get("/search?q=专利&match=exact").get_data(as_text=True)
    assert re.search(r'name="match" value="exact" checked', html)
    assert "精确" in html and "模糊" in html
    data = site.client().get("/api/search?q=高企&match=exact").get_json()
    assert data["total"] == 0 or data["partial"] is False
    assert data["params"]["match"] == "exact"


# --- exports -----------------------------------------------------------------------------------------


def _csv_rows(payload: bytes) -> list[dict[str, str]]:
    assert payload.startswith("\ufeff".encode())
    reader = csv.reader(io.StringIO(payload.decode("utf-8-sig")))
    header, *rows = list(reader)
    assert header == [h for _, h in COLUMNS]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_holds_the_whole_result_list(site: Site) -> None:
    client = site.client()
    total = client.get("/api/search?q=知识产权").get_json()["total"]
    response = client.get("/search.csv?q=知识产权&style=official")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    assert len(rows) == total == int(response.headers["X-Total-Count"]) > 10  # more than one page of the site
    first = rows[0]
    assert first["编号"] == client.get("/api/search?q=知识产权").get_json()["results"][0]["id"]
    measure = next(r for r in rows if r["编号"] == f"{SEED_ID}.m3.6")
    assert (
        measure["类型"] == "措施"
        and measure["日期"] == "2019-07-08"
        and measure["发布机构"] == "十堰市科学技术局"
    )
    assert measure["位置"] == "三、主要措施（六）" and measure["原文"].startswith("(六)着力加强知识产权保护")
    assert (
        measure["引文"]
        == "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）三、主要措施（六）"
    )
    assert measure["链接"] == f"/measures/{SEED_ID}.m3.6"
    gbt = _csv_rows(client.get("/search.csv?q=知识产权&style=gbt7714").data)
    assert next(r for r in gbt if r["编号"] == f"{SEED_ID}.m3.6")["引文"].startswith(
        "十堰市科学技术局. 十堰市2019年"
    )


def test_csv_cells_never_start_a_formula(site: Site) -> None:
    rows = _csv_rows(site.client().get("/search.csv?q=HYPERLINK").data)
    cells = [cell for row in rows for cell in row.values()]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    title = next(r["标题"] for r in rows if "HYPERLINK" in r["标题"])
    assert title.startswith("'=HYPERLINK(")
    assert (
        csv_cell("-5%") == "'-5%"
        and csv_cell("@SUM(A1)") == "'@SUM(A1)"
        and csv_cell("知识产权") == "知识产权"
    )


def test_xlsx_has_the_same_rows_as_text(site: Site) -> None:
    client = site.client()
    response = client.get("/search.xlsx?q=知识产权&style=gbt7714-2025")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["检索结果"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [h for _, h in COLUMNS]
    csv_rows = _csv_rows(client.get("/search.csv?q=知识产权&style=gbt7714-2025").data)
    assert len(rows) - 1 == len(csv_rows)
    assert [r[-1] for r in rows[1:]] == [r["编号"] for r in csv_rows]
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["检索词"] == "知识产权" and notes["结果总数"] == str(len(csv_rows))
    assert str(EXPORT_LIMIT) in notes["导出上限"]
    formula = openpyxl.load_workbook(io.BytesIO(client.get("/search.xlsx?q=HYPERLINK").data))["检索结果"]
    cells = [
        cell for row in formula.iter_rows(min_row=2) for cell in row if "HYPERLINK" in str(cell.value or "")
    ]
    assert cells and all(cell.data_type == "s" for cell in cells)  # text, never a formula
    assert any(str(cell.value).startswith("=HYPERLINK(") for cell in cells)  # the text as written


def test_exports_refuse_bad_input_with_a_message(site: Site) -> None:
    client = site.client()
    assert client.get("/search.csv?q=知识产权&style=apa").status_code == 400
    assert client.get("/search.xlsx?q=知识产权&from=2019-13-45").status_code == 400
    empty = client.get("/search.csv?q=夸克星云")
    assert empty.status_code == 200 and len(_csv_rows(empty.data)) == 0


def test_the_results_page_offers_the_exports_and_the_feed(site: Site) -> None:
    html = site.client().get("/search?q=知识产权&type=measure").get_data(as_text=True)
    assert 'formaction="/search.csv"' in html and 'formaction="/search.xlsx"' in html
    assert '<input type="hidden" name="type" value="measure">' in html
    assert 'rel="alternate" type="application/atom+xml"' in html and "/search.atom?" in html
    assert "保存检索" not in html  # only for a signed-in user


def test_the_cli_exports_csv_and_xlsx(
    site: Site, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    out = tmp_path / "r.xlsx"
    assert (
        cli_main(["search", "知识产权", "--index", str(site.index), "--format", "xlsx", "-o", str(out)]) == 0
    )
    sheet = openpyxl.load_workbook(out)["检索结果"]
    capsysbinary.readouterr()
    assert (
        cli_main(["search", "知识产权", "--index", str(site.index), "--format", "csv", "--style", "gbt7714"])
        == 0
    )
    rows = _csv_rows(capsysbinary.readouterr().out)
    assert sheet.max_row - 1 == len(rows) > 10
    assert cli_main(["search", "高企", "--index", str(site.index), "--match", "exact", "--json"]) == 0
    data = json.loads(capsysbinary.readouterr().out)
    assert data["total"] == 0 or data["partial"]


# --- the feed ----------------------------------------------------------------------------------------


def test_the_feed_is_atom_a_feed_parser_reads(site: Site) -> None:
    client = site.client()
    response = client.get("/search.atom?q=知识产权")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "政策知识库检索：知识产权"
    assert feed.feed.id.startswith("urn:uuid:")
    entries = feed.entries
    assert entries and all(e.id.startswith("urn:uuid:") for e in entries)
    assert len({e.id for e in entries}) == len(entries)
    links = [e.link for e in entries]
    assert all(
        re.fullmatch(r"/(documents|measures)/[^/]+", link) for link in links
    )  # documents and measures only
    dates = [e.updated for e in entries]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2021-03-15T00:00:00+08:00"
    plan = next(e for e in entries if "加强知识产权保护" in e.title)
    assert plan.published == plan.updated == "2021-03-15T00:00:00+08:00"
    assert plan.author == "某市市场监督管理局"
    assert feed.feed.updated == dates[0]


def test_feed_ids_are_stable_and_the_feed_sees_new_documents(site: Site) -> None:
    client = site.client()
    before = feedparser.parse(client.get("/search.atom?q=知识产权").data)
    again = feedparser.parse(client.get("/search.atom?q=知识产权").data)
    assert [e.id for e in before.entries] == [e.id for e in again.entries]
    assert before.feed.id == again.feed.id
    assert feedparser.parse(client.get("/search.atom?sort=date&q=知识产权").data).feed.id == before.feed.id
    measures = feedparser.parse(client.get("/search.atom?q=知识产权&type=measure").data)
    assert all("/measures/" in e.link for e in measures.entries)
    # A partial match is no news: nothing has both words.
    assert feedparser.parse(client.get("/search.atom?q=知识产权 夸克星云").data).entries == []
    assert client.get("/search.atom").status_code == 400


def test_feed_links_are_absolute_with_the_sites_address(site: Site) -> None:
    site.app.config["SITE_URL"] = "https://kb.example"
    try:
        feed = feedparser.parse(
            site.client().get("/search.atom?q=知识产权", headers={"Host": "evil.example"}).data
        )
    finally:
        site.app.config["SITE_URL"] = ""
    assert all(e.link.startswith("https://kb.example/") for e in feed.entries)
    assert feed.feed.links[0].href.startswith("https://kb.example/search.atom?")


# --- saved searches -----------------------------------------------------------------------------------


def test_saved_searches_are_per_user_and_show_what_is_new(site: Site) -> None:
    editor = site.client("editor")
    saved = editor.post(
        "/api/workspace/searches",
        json={"name": "知识产权", "query": "q=知识产权&type=measure&page=3"},
        headers={"X-CSRFToken": editor.csrf},
    )
    assert saved.status_code == 201, saved.get_data(as_text=True)
    search = saved.get_json()["search"]
    assert search["params"] == {"q": "知识产权", "type": "measure"} and search["new_count"] == 0
    # the file lives in the instance folder, private
    files = list((site.instance / "saved_searches").glob("*.json"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    assert "editor" not in files[0].name
    # another user never sees it
    other = site.client("other")
    assert other.get("/api/workspace/searches").get_json()["searches"] == []
    assert (
        other.post(
            f"/api/workspace/searches/{search['id']}/delete", headers={"X-CSRFToken": other.csrf}
        ).status_code
        == 404
    )
    assert "知识产权" not in other.get("/workspace/searches").get_data(as_text=True).split("<h1>")[1]

    # a new document that matches
    (site.documents / "later.txt").write_text(LATER, encoding="utf-8")
    site.build()
    listed = editor.get("/api/workspace/searches").get_json()["searches"]
    assert len(listed) == 1 and listed[0]["new_count"] == 1
    new = listed[0]["new"][0]
    assert new["title"] == "某市知识产权运营服务体系建设方案" and new["date"] == "2023-06-01"
    assert "doc=" in new["url"] and new["hits"] >= 1
    page = editor.get("/workspace/searches").get_data(as_text=True)
    assert "新 1" in page and "某市知识产权运营服务体系建设方案" in page
    # visiting records what was seen: nothing is new any more
    visited = editor.post(f"/workspace/searches/{search['id']}/seen", data={"csrf_token": editor.csrf})
    assert visited.status_code == 303 and visited.headers["Location"].startswith("/search?")
    assert editor.get("/api/workspace/searches").get_json()["searches"][0]["new_count"] == 0
    # delete
    assert editor.post(
        f"/api/workspace/searches/{search['id']}/delete", headers={"X-CSRFToken": editor.csrf}
    ).get_json() == {"deleted": search["id"]}
    assert editor.get("/api/workspace/searches").get_json()["searches"] == []
    (site.documents / "later.txt").unlink()
    site.build()


def test_anonymous_and_forged_writes_change_nothing(site: Site) -> None:
    store = SavedSearches(site.instance, "editor")
    before = store.list()
    anonymous = site.client()
    assert anonymous.post("/api/workspace/searches", json={"query": "q=专利"}).status_code in (400, 401, 403)
    assert anonymous.post("/workspace/searches", data={"query": "q=专利"}).status_code in (401, 403)
    assert anonymous.get("/api/workspace/searches").status_code == 401
    editor = site.client("editor")
    assert (
        editor.post("/api/workspace/searches", json={"query": "q=专利"}).status_code == 403
    )  # no CSRF token
    assert (
        editor.post("/workspace/searches", data={"query": "q=专利", "csrf_token": "forged"}).status_code
        == 403
    )
    assert store.list() == before
    # a search without words or filters is refused with a message
    empty = editor.post("/api/workspace/searches", json={"query": "q="}, headers={"X-CSRFToken": editor.csrf})
    assert empty.status_code == 400 and "检索词" in empty.get_json()["message"]
    assert store.list() == before


def test_the_results_page_saves_a_search_for_a_signed_in_user(site: Site) -> None:
    editor = site.client("editor")
    html = editor.get("/search?q=专利&match=exact").get_data(as_text=True)
    form = re.search(r'<form class="save-search"[\s\S]*?</form>', html)
    assert form, "no save form"
    query = re.search(r'name="query" value="([^"]+)"', form.group(0)).group(1)  # type: ignore[union-attr]
    response = editor.post(
        "/workspace/searches",
        data={"csrf_token": editor.csrf, "query": query.replace("&amp;", "&"), "name": "专利"},
    )
    assert response.status_code == 302
    saved = SavedSearches(site.instance, "editor").list()
    assert [s.params for s in saved if s.name == "专利"] == [{"q": "专利", "match": "exact"}]
    for s in saved:
        SavedSearches(site.instance, "editor").remove(s.id)


def test_help_documents_the_new_syntax(site: Site) -> None:
    html = site.client().get("/help").get_data(as_text=True)
    for phrase in ("精确", "下位词", "知识产权 &gt; 专利", "/search.csv", "/search.atom", "我的检索", "2018"):
        assert phrase in html, phrase
    data = site.client().get("/api/help").get_json()
    assert {"term": "知识产权", "narrower": ["专利"]} in data["narrower"]
