"""``policykb build`` and ``policykb config``: make the index; the bureau's configuration files."""

from __future__ import annotations

import click

from kb import config
from kb.cli.options import documents_folders, folders_options
from kb.cli.output import err


@click.command("build")
@folders_options
@click.option("--procs", type=int, default=None, help="worker processes (default: all cores, at most 2)")
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.option("--force", is_flag=True, help="rebuild everything")
@click.option("--wait", type=float, default=0.0, help="seconds to wait for another build's lock")
def build_command(
    documents: tuple[str, ...], index: str | None, procs: int | None, quiet: bool, force: bool, wait: float
) -> int:
    """Build or update the index."""
    from kb.build import build

    report = build(
        documents_folders(documents),
        config.index_dir(index),
        procs=procs,
        quiet=quiet,
        wait=wait,
        force=force,
    )
    for warning in report.warnings:
        err(f"警告 warning: {warning}")
    for item in report.rejected:
        err(f"拒收 rejected: {item['source']}: {item['reason']}")
    if report.phases:
        err(
            "阶段 phases: " + " · ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items())
        )
    click.echo(report.summary())
    return report.exit_code


@click.command("config")
@folders_options
@click.argument("action", type=click.Choice(["init", "show"]))
@click.option("--force", is_flag=True, help="init: overwrite files that exist")
def config_command(documents: tuple[str, ...], index: str | None, action: str, force: bool) -> int:
    """The bureau's configuration files (taxonomy, dictionary…): init copies the defaults into the folder, show
    lists which file is in use."""
    folder = config.config_dir()
    if action == "init":
        written = config.init_config(folder, overwrite=force)
        for path in written:
            click.echo(f"已写入 wrote {path}")
        if not written:
            click.echo(
                f"{folder} 中的配置文件都已存在（--force 覆盖）; every file exists already (--force overwrites)"
            )
        return 0
    for name, what in config.CONFIG_FILES.items():
        path = config.config_file(name, folder)
        where = "本机配置 bureau" if path.parent == folder else "默认 default"
        click.echo(f"{name:<14} {where:<14} {path}  {what}")
    return 0
