"""``policykb search``: the site's search from the command line (the same ``SearchRequest``), and its whole result
list as CSV or .xlsx (``--format csv|xlsx [-o FILE]``, the site's ``/search.csv`` and ``/search.xlsx``)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from kb import config
from kb.cli.options import folders_options, open_kb
from kb.cli.output import err, print_json
from kb.search.request import MATCHES, TYPES, SearchRequest

FORMATS = ("text", "json", "csv", "xlsx")
EXPORT_STYLES = ["official", "gbt7714", "gbt7714-2015", "gbt7714-2025"]


@click.command("search")
@folders_options
@click.argument("query", required=False, default="")
@click.option("--type", "hit_type", type=click.Choice(TYPES), help="the type of hit")
@click.option(
    "--genre", "--kind", "genre", metavar="文种", help="the document's 文种 (通知, 意见, 方案, 条例, 法律…)"
)
@click.option("--category", metavar="NAME")
@click.option("--doc", metavar="ID")
@click.option("--agency", metavar="发布机构")
@click.option("--year", metavar="YYYY")
@click.option(
    "--level",
    metavar="效力级别",
    help="the document's 效力级别 (法律, 行政法规, 部门规章, 规范性文件…) or 未注明",
)
@click.option(
    "--validity",
    metavar="时效性",
    help="its status today: 现行有效, 尚未施行, 已失效, 已修改, 已废止, or 未注明",
)
@click.option("--doc-number", "doc_number", metavar="文号", help="e.g. 国发〔2019〕4号 or 国发 2019")
@click.option("--from", "date_from", metavar="YYYY-MM-DD")
@click.option("--to", "date_to", metavar="YYYY-MM-DD")
@click.option("--field", type=click.Choice(["all", "title"]), default="all")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option(
    "--match",
    type=click.Choice(MATCHES),
    default="broad",
    help="broad (模糊, default): words, synonyms, amounts by value; exact (精确): every piece as written",
)
@click.option(
    "--limit", type=int, default=10, help="hits to print (text/json; csv/xlsx export the whole list)"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="text (default), json, or the whole result list as csv/xlsx (up to 1,000 rows)",
)
@click.option("--json", "as_json", is_flag=True, help="print JSON (the site's /api shape); = --format json")
@click.option(
    "--style", type=click.Choice(EXPORT_STYLES), default="official", help="citation style of csv/xlsx"
)
@click.option("-o", "--output", metavar="FILE", help="write csv/xlsx to FILE (default: standard output)")
@click.option("--base-url", default="", help="the site's public address: links of csv/xlsx rows (本库链接)")
def search_command(
    documents: tuple[str, ...],
    index: str | None,
    query: str,
    hit_type: str | None,
    limit: int,
    fmt: str | None,
    as_json: bool,
    style: str,
    output: str | None,
    base_url: str,
    **filters: str | None,
) -> int:
    """Search measures, targets, results, clauses and documents (the query may be empty when a filter is given)."""
    from kb.search.backends import open_search
    from kb.search.schema import TYPE_LABELS

    fmt = fmt or ("json" if as_json else "text")
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        err("xlsx 是二进制文件，请用 -o FILE 指定输出文件。 xlsx is binary: give -o FILE.")
        return 2
    request = SearchRequest(q=query, type=hit_type, limit=limit, **filters)  # type: ignore[arg-type]
    engine = open_search(config.backend(), config.index_dir(index))
    try:
        if fmt in ("csv", "xlsx"):
            return _export(engine, index, request, fmt, style, output, base_url)
        result = engine.search(request)
    except ValueError as exc:  # a date filter that is no date: the message says how to write one
        err(str(exc))
        return 2
    finally:
        engine.close()
    if fmt == "json":
        print_json(result.to_json())
        return 0
    if result.message:
        click.echo(result.message)
    click.echo(f"共 {result.total} 条结果 hits")
    for rank, hit in enumerate(result.results, 1):
        place = "".join(hit.path)
        click.echo(
            f"{rank:>2}. [{TYPE_LABELS.get(hit.type, hit.type)}] {hit.title.plain('【', '】')}  {hit.id}"
        )
        meta = " · ".join(x for x in (hit.date, hit.genre, hit.agency) if x)
        click.echo(f"    {hit.doc_title} {place}" + (f"  ({meta})" if meta else ""))
        click.echo(f"    {hit.snippet.plain('【', '】')}")
    return 0


def _export(
    engine: object,
    index: str | None,
    request: SearchRequest,
    fmt: str,
    style: str,
    output: str | None,
    base: str,
) -> int:
    from kb.cite.table import EXPORT_LIMIT, result_table, to_csv, to_xlsx

    table = result_table(
        engine,  # type: ignore[arg-type]
        open_kb(index),
        request,
        style=style,
        base_url=base,
        accessed=date.today(),
    )
    payload = to_csv(table) if fmt == "csv" else to_xlsx(table)
    if output is None:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    else:
        Path(output).write_bytes(payload)
    note = f"共 {table.total} 条结果，导出 {len(table.rows)} 条 exported"
    if table.truncated:
        note += f"（上限 {EXPORT_LIMIT} 条 the export holds the first {EXPORT_LIMIT}）"
    err(note + (f" → {output}" if output else ""))
    return 0
