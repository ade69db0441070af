"""The ``policykb`` command: argument parsing and printing only.

Exit codes: 0 success; 1 when a build rejected any file (each is named with its reason), or an id/query was not
found; 2 usage errors; 3 another build holds the index's lock (nothing was done); 4 the build failed (disk full,
out of memory…; the live index is unchanged and the message says what to do).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from kb import config, ids
from kb.present import document_json, format_value, indicator_json, measure_json, quantity_json
from kb.search.request import TYPES, SearchRequest
from kb.store.build import EXIT_FAILED, EXIT_LOCKED, BuildError
from kb.store.generations import BuildLocked, StoreError
from kb.store.knowledge import KnowledgeBase
from kb.urls import clause_url


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    out, used = [], 0
    for ch in text.replace("\n", " "):
        w = _width(ch)
        if used + w > width:
            return "".join(out).rstrip() + "…"
        out.append(ch)
        used += w
    return "".join(out)


def table(rows: list[list[str]], headers: list[str], widths: list[int]) -> str:
    """A plain-text table that lines up Chinese (double-width) characters."""
    lines = []
    for row in [headers, *rows]:
        cells = []
        for value, width in zip(row, widths, strict=True):
            value = _cut(str(value), width)
            cells.append(value + " " * (width - _width(value)))
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _open_kb(args: argparse.Namespace) -> KnowledgeBase:
    return KnowledgeBase.open(config.index_dir(args.index))


# -- commands


def cmd_build(args: argparse.Namespace) -> int:
    from kb.store.build import build

    folders = config.documents_folders(args.documents)
    report = build(
        folders,
        config.index_dir(args.index),
        procs=args.procs,
        quiet=args.quiet,
        wait=args.wait,
        force=args.force,
    )
    for warning in report.warnings:
        print(f"警告 warning: {warning}", file=sys.stderr)
    for item in report.rejected:
        print(f"拒收 rejected: {item['source']}: {item['reason']}", file=sys.stderr)
    if report.phases:
        phases = " · ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items())
        print(f"阶段 phases: {phases}", file=sys.stderr)
    print(report.summary())
    return report.exit_code


def cmd_documents(args: argparse.Namespace) -> int:
    kb = _open_kb(args)
    docs = sorted(kb.documents(), key=lambda d: d.id)
    if args.json:
        _print_json([document_json(d) for d in docs])
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
    print(
        table(rows, ["编号 id", "标题", "文号/索引号", "发布机构", "日期", "措施"], [22, 40, 22, 20, 10, 4])
    )
    return 0


def cmd_measures(args: argparse.Namespace) -> int:
    kb = _open_kb(args)
    measures = kb.measures(doc_id=args.doc, category=args.category)
    if args.json:
        _print_json([measure_json(m) for m in measures])
        return 0
    rows = [[m.id, m.number, m.headline, "、".join(m.categories), str(len(m.targets))] for m in measures]
    print(table(rows, ["编号 id", "序号", "措施", "类别", "目标"], [30, 6, 50, 24, 4]))
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    """Targets (goals) only: never a result."""
    kb = _open_kb(args)
    targets = kb.targets(doc_id=args.doc)
    if args.json:
        _print_json([quantity_json(t) for t in targets])
        return 0
    rows = [
        [t.id, t.indicator, format_value(t), t.qualifier, str(t.deadline or ""), str(len(t.measure_ids))]
        for t in targets
    ]
    print(table(rows, ["编号 id", "指标", "目标值", "限定", "期限", "措施"], [30, 30, 14, 12, 6, 4]))
    print(f"共 {len(targets)} 个目标 targets")
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    """Results (what documents say was achieved, with the year each reports) only: never a target."""
    kb = _open_kb(args)
    results = kb.results(doc_id=args.doc)
    if args.json:
        _print_json([quantity_json(r) for r in results])
        return 0
    rows = [[r.id, r.indicator, format_value(r), r.qualifier, str(r.year or "")] for r in results]
    print(table(rows, ["编号 id", "指标", "实绩", "限定", "年份"], [30, 30, 14, 12, 6]))
    print(f"共 {len(results)} 项实绩 results")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    kb = _open_kb(args)
    status = kb.indicator_status()
    if status.get("error") == "missing":
        print(
            "索引中没有指标序列，请重新运行 `policykb build`。"
            " This index has no indicator series: run `policykb build` again.",
            file=sys.stderr,
        )
        return 1
    if status.get("error"):
        print(f"指标序列未生成 indicator series not built: {status['error']}", file=sys.stderr)
        return 1
    series = kb.indicator_series(region=args.region)
    if args.indicator:
        series = [s for s in series if args.indicator in s.name]
    if args.compared:
        series = [s for s in series if s.compared]
    if args.json:
        _print_json([indicator_json(s) for s in series])
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
    print(
        table(
            rows,
            ["编号 id", "地区", "指标", "年份", "目标", "结果", "完成/未完成/不可比", "冲突"],
            [16, 12, 36, 9, 4, 4, 18, 4],
        )
    )
    print(f"共 {len(series)} 个指标序列 series")
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


def cmd_show(args: argparse.Namespace) -> int:
    kb = _open_kb(args)
    data = _show_data(kb, args.id)
    if data is None:
        print(f"未找到 not found: {args.id}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(data)
        return 0
    for key, value in data.items():
        if isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False)
        print(f"{key}: {value}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from kb.search.engine import SearchEngine
    from kb.search.schema import TYPE_LABELS

    engine = SearchEngine(config.index_dir(args.index))
    try:
        request = SearchRequest(
            q=args.query,
            type=args.type,
            genre=args.genre,
            category=args.category,
            doc=args.doc,
            agency=args.agency,
            year=args.year,
            doc_number=args.doc_number,
            date_from=args.date_from,
            date_to=args.date_to,
            field=args.field,
            sort=args.sort,
            limit=args.limit,
        )
        result = engine.search(request)
    except ValueError as exc:  # a date filter that is no date: the message says how to write one
        print(exc, file=sys.stderr)
        return 2
    finally:
        engine.close()
    if args.json:
        _print_json(result.to_json())
        return 0
    if result.message:
        print(result.message)
    print(f"共 {result.total} 条结果 hits")
    for rank, hit in enumerate(result.results, 1):
        place = "".join(hit.path)
        print(f"{rank:>2}. [{TYPE_LABELS.get(hit.type, hit.type)}] {hit.title.plain('【', '】')}  {hit.id}")
        print(f"    {hit.doc_title} {place}")
        print(f"    {hit.snippet.plain('【', '】')}")
    return 0


def cmd_cite(args: argparse.Namespace) -> int:
    from kb.cite.items import citation_for, resolve_item

    kb = _open_kb(args)
    item = resolve_item(kb, args.id)
    if item is None:
        print(f"未找到 not found: {args.id}", file=sys.stderr)
        return 1
    citation = citation_for(item, args.style, base_url=args.base_url, accessed=date.today())
    print(citation.text)
    if citation.permalink.startswith(("http://", "https://")):
        print(f"本库链接：{citation.permalink}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kb.cite.export import export_docx, export_markdown
    from kb.cite.items import resolve_item

    kb = _open_kb(args)
    items = []
    for item_id in args.ids:
        item = resolve_item(kb, item_id)
        if item is None:
            print(f"未找到 not found: {item_id}", file=sys.stderr)
            return 1
        items.append((item.citable, item.document))
    options = {"style": args.style, "base_url": args.base_url, "accessed": date.today()}
    if args.format == "docx":
        data = export_docx(items, **options, author=args.author)
        if args.output in (None, "-"):
            print("docx 需要 -o 文件名 (docx needs -o FILE)", file=sys.stderr)
            return 2
        Path(args.output).write_bytes(data)
    else:
        text = export_markdown(items, **options)
        if args.output in (None, "-"):
            sys.stdout.write(text)
        else:
            Path(args.output).write_text(text, encoding="utf-8")
    if args.output not in (None, "-"):
        print(f"已导出 exported {len(items)} 条 to {args.output}")
    return 0


# waitress settings for a 2-core office box (README "安全与限制 limits"): threads run the (CPU-bound) pages;
# connections are served asynchronously, so idle keep-alive sockets cost a file descriptor, not a thread.
SERVER_SETTINGS = {
    "connection_limit": 500,  # open connections before new ones wait (waitress default 100: 110 idle ones locked users out)
    "channel_timeout": 20,  # seconds an idle connection is kept (default 120)
    "cleanup_interval": 5,  # how often idle connections are looked for (default 30)
    "backlog": 1024,  # pending connections the OS queues
    "max_request_header_size": 64 * 1024,
    "max_request_body_size": 64
    * 1024
    * 1024,  # the workspace's uploads (50 MB) fit; the app limits each route
}


def cmd_serve(args: argparse.Namespace) -> int:
    from kb.store.build import build
    from kb.store.generations import current_generation

    index = config.index_dir(args.index)
    folders = config.documents_folders(args.documents)
    if current_generation(index) is None or not args.no_build:
        report = build(folders, index, quiet=False, wait=60)
        for item in report.rejected:
            print(f"拒收 rejected: {item['source']}: {item['reason']}", file=sys.stderr)
        print(report.summary())
    import waitress

    from web import create_app

    app = create_app(
        {
            "INDEX_DIR": str(index.resolve()),
            "DOCUMENTS": [str(folder.resolve()) for folder in folders],
            "INSTANCE_DIR": str(config.instance_dir(args.instance).resolve()),
        }
    )
    print(f"PolicyKB 政策知识库: http://{args.host}:{args.port}/  (Ctrl+C 退出)")
    waitress.serve(
        app, host=args.host, port=args.port, threads=args.threads, ident="PolicyKB", **SERVER_SETTINGS
    )
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    folder = config.config_dir()
    if args.action == "init":
        written = config.init_config(folder, overwrite=args.force)
        for path in written:
            print(f"已写入 wrote {path}")
        if not written:
            print(
                f"{folder} 中的配置文件都已存在（--force 覆盖）; every file exists already (--force overwrites)"
            )
        return 0
    for name, what in config.CONFIG_FILES.items():
        path = config.config_file(name, folder)
        where = "本机配置 bureau" if path.parent == folder else "默认 default"
        print(f"{name:<14} {where:<14} {path}  {what}")
    return 0


def _read_password(prompt: str = "密码 password: ") -> str:
    """The new password: the first line of standard input when it is not a terminal, else typed twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass(prompt)
    second = getpass.getpass("再输入一次 again: ")
    if first != second:
        raise ValueError("两次输入的密码不一致。 The passwords do not match.")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from kb.users import UserError, UserStore

    store = UserStore(config.instance_dir(args.instance))
    try:
        if args.action == "list":
            users = store.list()
            if args.json:
                _print_json([u.public() for u in users])
            elif not users:
                print("尚无用户。添加：policykb users add NAME  No users yet.")
            else:
                rows = [[u.name, u.role, u.created, u.changed] for u in users]
                print(
                    table(rows, ["用户 user", "角色 role", "创建 created", "改密 changed"], [20, 8, 25, 25])
                )
            return 0
        if args.action == "remove":
            store.remove(args.name)
            print(f"已删除用户 removed: {args.name}")
            return 0
        if args.action == "role":
            user = store.set_role(args.name, args.role)
            print(f"已设为 {user.role}: {user.name}")
            return 0
        password = _read_password()
        if args.action == "add":
            user = store.add(args.name, password, role=args.role)
            print(f"已添加用户 added: {user.name} ({user.role})")
        else:
            user = store.set_password(args.name, password)
            print(f"已修改密码 password changed: {user.name}")
        return 0
    except (UserError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1


def make_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--documents",
        action="append",
        metavar="DIR",
        help="documents folder (repeatable; default $POLICYKB_DOCUMENTS or documents/)",
    )
    common.add_argument("--index", metavar="DIR", help="index folder (default $POLICYKB_INDEX or index/)")
    common.add_argument(
        "--config", metavar="DIR", help="configuration folder (default $POLICYKB_CONFIG or config/)"
    )

    parser = argparse.ArgumentParser(prog="policykb", description="政策知识库 PolicyKB")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", parents=[common], help="build or update the index")
    p.add_argument("--procs", type=int, default=None, help="worker processes (default: all cores, at most 2)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="rebuild everything")
    p.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another build's lock")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("documents", parents=[common], help="list documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("measures", parents=[common], help="list measures")
    p.add_argument("--json", action="store_true")
    p.add_argument("--doc", metavar="ID")
    p.add_argument("--category", metavar="NAME")
    p.set_defaults(func=cmd_measures)

    p = sub.add_parser("targets", parents=[common], help="list targets (goals; never a result)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--doc", metavar="ID")
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser(
        "results", parents=[common], help="list results (what was achieved, with the year each reports)"
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--doc", metavar="ID")
    p.set_defaults(func=cmd_results)

    p = sub.add_parser(
        "indicators", parents=[common], help="indicator series: targets against results by year"
    )
    p.add_argument("--region", metavar="R", help="only this region, e.g. 海拉尔区, 全国")
    p.add_argument("--indicator", metavar="NAME", help="only indicators whose name contains NAME")
    p.add_argument(
        "--compared",
        action="store_true",
        help="only series with a judged year, a conflict or points from several documents",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("show", parents=[common], help="show one document, measure, target, result or clause")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "search", parents=[common], help="search measures, targets, results, clauses and documents"
    )
    p.add_argument("query", nargs="?", default="", help="检索词; may be empty when a filter is given")
    p.add_argument("--type", choices=list(TYPES), help="the type of hit")
    p.add_argument(
        "--genre",
        "--kind",
        dest="genre",
        metavar="文种",
        help="the document's 文种 (通知, 意见, 方案, 条例, 法律…)",
    )
    p.add_argument("--category", metavar="NAME")
    p.add_argument("--doc", metavar="ID")
    p.add_argument("--agency", metavar="发布机构")
    p.add_argument("--year", metavar="YYYY")
    p.add_argument("--doc-number", metavar="文号", help="e.g. 国发〔2019〕4号 or 国发 2019")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument("--field", choices=["all", "title"], default="all")
    p.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("cite", parents=[common], help="print the citation of a measure, target or clause")
    p.add_argument("id")
    p.add_argument(
        "--style",
        default="official",
        choices=["official", "gbt7714", "gbt7714-2015", "gbt7714-2025", "markdown"],
    )
    p.add_argument(
        "--base-url", default="", help="the site's public address, for the 本库链接 (e.g. https://kb.example)"
    )
    p.set_defaults(func=cmd_cite)

    p = sub.add_parser("export", parents=[common], help="export quotes and citations as a report")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--format", choices=["docx", "md"], default="md")
    p.add_argument(
        "--style",
        default="official",
        choices=["official", "gbt7714", "gbt7714-2015", "gbt7714-2025"],
        help="citations and reference list: official (公文引用格式, default), gbt7714 (GB/T 7714-2015), gbt7714-2025",
    )
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument(
        "--base-url", default="", help="the site's public address: entries link to its pages (本库链接)"
    )
    p.add_argument("--author", default="政策知识库", help="the author written into the .docx properties")
    p.set_defaults(func=cmd_export)

    instance = argparse.ArgumentParser(add_help=False)
    instance.add_argument(
        "--instance", metavar="DIR", help="instance folder (default $POLICYKB_INSTANCE or instance/)"
    )
    p = sub.add_parser(
        "serve", parents=[common, instance], help="run the site (builds the index first when needed)"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--no-build", action="store_true", help="serve the existing index without updating it")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "config", parents=[common], help="the bureau's configuration files (taxonomy, dictionary…)"
    )
    p.add_argument(
        "action", choices=["init", "show"], help="init: copy the defaults into the folder; show: list"
    )
    p.add_argument("--force", action="store_true", help="init: overwrite files that exist")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("users", help="staff accounts of the workspace (kept in the instance folder)")
    users = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = users.add_parser("add", parents=[instance], help="add a user (password from stdin, or typed twice)")
    q.add_argument("name")
    q.add_argument("--role", choices=["editor", "admin"], default="editor")
    q = users.add_parser("list", parents=[instance], help="list users")
    q.add_argument("--json", action="store_true")
    q = users.add_parser("remove", parents=[instance], help="remove a user (their sessions end)")
    q.add_argument("name")
    q = users.add_parser("passwd", parents=[instance], help="set a user's password (their sessions end)")
    q.add_argument("name")
    q = users.add_parser("role", parents=[instance], help="change a user's role")
    q.add_argument("name")
    q.add_argument("role", choices=["editor", "admin"])
    p.set_defaults(func=cmd_users)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    config.use_config_dir(getattr(args, "config", None))
    try:
        return int(args.func(args))
    except BuildLocked as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_LOCKED
    except BuildError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except MemoryError:
        print("内存不足，操作已中止。 Out of memory: the command stopped.", file=sys.stderr)
        return EXIT_FAILED
    except StoreError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断 interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
