"""``policykb search``: the site's search from the command line (the same ``SearchRequest``)."""

from __future__ import annotations

import click

from kb import config
from kb.cli.options import folders_options, json_option
from kb.cli.output import err, print_json
from kb.search.request import TYPES, SearchRequest


@click.command("search")
@folders_options
@json_option
@click.argument("query", required=False, default="")
@click.option("--type", "hit_type", type=click.Choice(TYPES), help="the type of hit")
@click.option(
    "--genre", "--kind", "genre", metavar="文种", help="the document's 文种 (通知, 意见, 方案, 条例, 法律…)"
)
@click.option("--category", metavar="NAME")
@click.option("--doc", metavar="ID")
@click.option("--agency", metavar="发布机构")
@click.option("--year", metavar="YYYY")
@click.option("--doc-number", "doc_number", metavar="文号", help="e.g. 国发〔2019〕4号 or 国发 2019")
@click.option("--from", "date_from", metavar="YYYY-MM-DD")
@click.option("--to", "date_to", metavar="YYYY-MM-DD")
@click.option("--field", type=click.Choice(["all", "title"]), default="all")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--limit", type=int, default=10)
def search_command(
    documents: tuple[str, ...],
    index: str | None,
    as_json: bool,
    query: str,
    hit_type: str | None,
    limit: int,
    **filters: str | None,
) -> int:
    """Search measures, targets, results, clauses and documents (the query may be empty when a filter is given)."""
    from kb.search.engine import SearchEngine
    from kb.search.schema import TYPE_LABELS

    request = SearchRequest(q=query, type=hit_type, limit=limit, **filters)  # type: ignore[arg-type]
    engine = SearchEngine(config.index_dir(index))
    try:
        result = engine.search(request)
    except ValueError as exc:  # a date filter that is no date: the message says how to write one
        err(str(exc))
        return 2
    finally:
        engine.close()
    if as_json:
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
        click.echo(f"    {hit.doc_title} {place}")
        click.echo(f"    {hit.snippet.plain('【', '】')}")
    return 0
