"""``policykb compare A B``: two documents side by side (measures aligned, targets with last year's result)."""

from __future__ import annotations

import click

from kb.cli.options import folders_options, json_option, open_kb
from kb.cli.output import err, print_json, table
from kb.compare.plans import CompareError, compare_documents
from kb.present import comparison_json

NAMES = {"kept": "保留", "changed": "调整", "new": "新增", "dropped": "删去"}


@click.command("compare")
@folders_options
@json_option
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
def compare_command(documents: tuple[str, ...], index: str | None, as_json: bool, a: str, b: str) -> int:
    """Compare two documents: measures kept, changed, new, dropped; targets of the same indicator."""
    kb = open_kb(index)
    try:
        comparison = compare_documents(kb, a, b)
    except CompareError as exc:
        err(str(exc))
        return 1
    data = comparison_json(comparison)
    if as_json:
        print_json(
            {k: data[k] for k in ("a", "b", "relation", "earlier_year", "counts", "measures", "targets")}
        )
        return 0
    click.echo(f"A {comparison.a.title}（{comparison.a.id}）")
    click.echo(f"B {comparison.b.title}（{comparison.b.id}）")
    counts = data["counts"]
    click.echo("  ".join(f"{NAMES[k]} {counts[k]}" for k in NAMES))
    rows = []
    for row in data["measures"]:
        ma, mb = row["measure_a"], row["measure_b"]
        rows.append(
            [
                f"{ma['number']}{ma['headline']}" if ma else "—",
                NAMES[row["relation"]] + (f" {row['score']:.2f}" if ma and mb else ""),
                f"{mb['number']}{mb['headline']}" if mb else "—",
                "、".join(row["words"][:4]),
            ]
        )
    click.echo(table(rows, ["A 的措施", "对照", "B 的措施", "依据词"], [36, 10, 36, 24]))
    rows = []
    for t in data["targets"]:
        result = t["result"]
        rows.append(
            [
                t["indicator"],
                t["a"]["mention"] if t["a"] else "—",
                t["b"]["mention"] if t["b"] else "—",
                t["change"]["written"] if t["change"] else "",
                (result["written"] + (f" {result['state']}" if result["state"] else "")) if result else "",
            ]
        )
    if rows:
        click.echo("")
        click.echo(table(rows, ["指标", "A 的目标", "B 的目标", "变化", "上年实绩"], [20, 28, 28, 12, 14]))
    return 0
