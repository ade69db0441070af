"""``policykb cite`` and ``policykb export``: a citation ready to paste; quotes and citations as a report."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from kb.cli.options import folders_options, open_kb
from kb.cli.output import err

CITE_STYLES = ["official", "gbt7714", "gbt7714-2015", "gbt7714-2025", "markdown"]
EXPORT_STYLES = ["official", "gbt7714", "gbt7714-2015", "gbt7714-2025"]


@click.command("cite")
@folders_options
@click.argument("item_id", metavar="ID")
@click.option("--style", type=click.Choice(CITE_STYLES), default="official")
@click.option(
    "--base-url", default="", help="the site's public address, for the 本库链接 (e.g. https://kb.example)"
)
def cite_command(
    documents: tuple[str, ...], index: str | None, item_id: str, style: str, base_url: str
) -> int:
    """Print the citation of a measure, target, result or clause."""
    from kb.cite.items import citation_for, resolve_item

    kb = open_kb(index)
    item = resolve_item(kb, item_id)
    if item is None:
        err(f"未找到 not found: {item_id}")
        return 1
    citation = citation_for(item, style, base_url=base_url, accessed=date.today())
    click.echo(citation.text)
    if citation.permalink.startswith(("http://", "https://")):
        click.echo(f"本库链接：{citation.permalink}")
    return 0


@click.command("export")
@folders_options
@click.argument("item_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"]), default="md")
@click.option(
    "--style",
    type=click.Choice(EXPORT_STYLES),
    default="official",
    help="citations and reference list: official (公文引用格式, default), gbt7714 (GB/T 7714-2015), gbt7714-2025",
)
@click.option("-o", "--output", metavar="FILE")
@click.option(
    "--base-url", default="", help="the site's public address: entries link to its pages (本库链接)"
)
@click.option("--author", default="政策知识库", help="the author written into the .docx properties")
def export_command(
    documents: tuple[str, ...],
    index: str | None,
    item_ids: tuple[str, ...],
    fmt: str,
    style: str,
    output: str | None,
    base_url: str,
    author: str,
) -> int:
    """Export quotes and citations as a report (.docx in 公文 layout, or Markdown)."""
    from kb.cite.export import export_docx, export_markdown
    from kb.cite.items import resolve_item

    kb = open_kb(index)
    items = []
    for item_id in item_ids:
        item = resolve_item(kb, item_id)
        if item is None:
            err(f"未找到 not found: {item_id}")
            return 1
        items.append((item.citable, item.document))
    options = {"style": style, "base_url": base_url, "accessed": date.today()}
    if fmt == "docx":
        if output in (None, "-"):
            err("docx 需要 -o 文件名 (docx needs -o FILE)")
            return 2
        Path(output).write_bytes(export_docx(items, **options, author=author))  # type: ignore[arg-type]
    else:
        text = export_markdown(items, **options)  # type: ignore[arg-type]
        if output in (None, "-"):
            sys.stdout.write(text)
        else:
            Path(output).write_text(text, encoding="utf-8")
    if output not in (None, "-"):
        click.echo(f"已导出 exported {len(items)} 条 to {output}")
    return 0
