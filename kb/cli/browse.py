"""Reading the knowledge base: documents, measures, targets, results, indicator series, one item by id."""

from __future__ import annotations

import json
from typing import Any

import click

from kb import ids
from kb.cli.options import folders_options, json_option, open_kb
from kb.cli.output import err, print_json, table
from kb.present import document_json, format_value, indicator_json, measure_json, quantity_json
from kb.store.knowledge import KnowledgeBase
from kb.urls import clause_url


@click.command("documents")
@folders_options
@json_option
def documents_command(documents: tuple[str, ...], index: str | None, as_json: bool) -> int:
    """List documents."""
    kb = open_kb(index)
    docs = sorted(kb.documents(), key=lambda d: d.id)
    if as_json:
        print_json([document_json(d) for d in docs])
        return 0
    rows = [
        [
            d.id,
            d.title,
            d.doc_number or d.index_no,
            d.agency,
            d.date,
            str(kb.document_counts(d.id).get("measures", 0)),
        ]
        for d in docs
    ]
    click.echo(
        table(rows, ["编号 id", "标题", "文号/索引号", "发布机构", "日期", "措施"], [22, 40, 22, 20, 10, 4])
    )
    return 0


@click.command("measures")
@folders_options
@json_option
@click.option("--doc", metavar="ID")
@click.option("--category", metavar="NAME")
def measures_command(
    documents: tuple[str, ...], index: str | None, as_json: bool, doc: str | None, category: str | None
) -> int:
    """List measures."""
    kb = open_kb(index)
    measures = kb.measures(doc_id=doc, category=category)
    if as_json:
        print_json([measure_json(m) for m in measures])
        return 0
    rows = [[m.id, m.number, m.headline, "、".join(m.categories), str(len(m.targets))] for m in measures]
    click.echo(table(rows, ["编号 id", "序号", "措施", "类别", "目标"], [30, 6, 50, 24, 4]))
    return 0


@click.command("targets")
@folders_options
@json_option
@click.option("--doc", metavar="ID")
def targets_command(documents: tuple[str, ...], index: str | None, as_json: bool, doc: str | None) -> int:
    """List targets (goals; never a result)."""
    kb = open_kb(index)
    targets = kb.targets(doc_id=doc)
    if as_json:
        print_json([quantity_json(t) for t in targets])
        return 0
    rows = [
        [t.id, t.indicator, format_value(t), t.qualifier, str(t.deadline or ""), str(len(t.measure_ids))]
        for t in targets
    ]
    click.echo(table(rows, ["编号 id", "指标", "目标值", "限定", "期限", "措施"], [30, 30, 14, 12, 6, 4]))
    click.echo(f"共 {len(targets)} 个目标 targets")
    return 0


@click.command("results")
@folders_options
@json_option
@click.option("--doc", metavar="ID")
def results_command(documents: tuple[str, ...], index: str | None, as_json: bool, doc: str | None) -> int:
    """List results (what documents say was achieved, with the year each reports; never a target)."""
    kb = open_kb(index)
    results = kb.results(doc_id=doc)
    if as_json:
        print_json([quantity_json(r) for r in results])
        return 0
    rows = [[r.id, r.indicator, format_value(r), r.qualifier, str(r.year or "")] for r in results]
    click.echo(table(rows, ["编号 id", "指标", "实绩", "限定", "年份"], [30, 30, 14, 12, 6]))
    click.echo(f"共 {len(results)} 项实绩 results")
    return 0


@click.command("indicators")
@folders_options
@json_option
@click.option("--region", metavar="R", help="only this region, e.g. 海拉尔区, 全国")
@click.option("--indicator", metavar="NAME", help="only indicators whose name contains NAME")
@click.option(
    "--compared",
    is_flag=True,
    help="only series with a judged year, a conflict or points from several documents",
)
def indicators_command(
    documents: tuple[str, ...],
    index: str | None,
    as_json: bool,
    region: str | None,
    indicator: str | None,
    compared: bool,
) -> int:
    """Indicator series: targets against results by year."""
    kb = open_kb(index)
    status = kb.indicator_status()
    if status.get("error") == "missing":
        err(
            "索引中没有指标序列，请重新运行 `policykb build`。"
            " This index has no indicator series: run `policykb build` again."
        )
        return 1
    if status.get("error"):
        err(f"指标序列未生成 indicator series not built: {status['error']}")
        return 1
    series = kb.indicator_series(region=region)
    if indicator:
        series = [s for s in series if indicator in s.name]
    if compared:
        series = [s for s in series if s.compared]
    if as_json:
        print_json([indicator_json(s) for s in series])
        return 0
    rows = []
    for s in series:
        summary = s.summary()
        years = sorted({p.year for p in s.points})
        rows.append(
            [
                s.id,
                s.region,
                s.title.split(" · ", 1)[-1],
                f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]),
                str(summary["targets"]),
                str(summary["results"]),
                f"{summary['met']}/{summary['missed']}/{summary['not_comparable']}",
                str(summary["conflicts"]),
            ]
        )
    click.echo(
        table(
            rows,
            ["编号 id", "地区", "指标", "年份", "目标", "结果", "完成/未完成/不可比", "冲突"],
            [16, 12, 36, 9, 4, 4, 18, 4],
        )
    )
    click.echo(f"共 {len(series)} 个指标序列 series")
    return 0


def _show_data(kb: KnowledgeBase, item_id: str) -> dict[str, Any] | None:
    item_type = kb.type_of(item_id)
    if item_type == "document":
        doc = kb.document(item_id)
        assert doc is not None
        data = {"type": "document", **document_json(doc)}
        data["counts"] = kb.document_counts(item_id)
        data["measures"] = [m.id for m in kb.measures(doc_id=item_id)]
        data["targets"] = [t.id for t in kb.targets(doc_id=item_id)]
        data["results"] = [r.id for r in kb.results(doc_id=item_id)]
        return data
    if item_type == "measure":
        measure = kb.measure(item_id)
        assert measure is not None
        return {"type": "measure", **measure_json(measure)}
    if item_type in ("target", "result"):
        quantity = kb.quantity(item_id)
        assert quantity is not None
        return {"type": quantity.kind, **quantity_json(quantity)}
    if item_type == "clause":
        found = kb.clause(item_id)
        dkb = kb.document_kb(ids.document_of(item_id))
        assert found is not None and dkb is not None
        clause, trail = found
        from kb.extract.places import clause_path

        return {
            "type": "clause",
            "id": clause.id,
            "doc_id": clause.doc_id,
            "label": clause.label,
            "heading": clause.heading,
            "path": clause_path(trail, clause),
            "text": dkb.document.text[clause.span[0] : clause.span[1]],
            "span": list(clause.span),
            "url": clause_url(clause.id),
        }
    return None


@click.command("show")
@folders_options
@json_option
@click.argument("item_id", metavar="ID")
def show_command(documents: tuple[str, ...], index: str | None, as_json: bool, item_id: str) -> int:
    """Show one document, measure, target, result or clause."""
    kb = open_kb(index)
    data = _show_data(kb, item_id)
    if data is None:
        err(f"未找到 not found: {item_id}")
        return 1
    if as_json:
        print_json(data)
        return 0
    for key, value in data.items():
        if isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False)
        click.echo(f"{key}: {value}")
    return 0
