"""The site's commands: ``policykb serve`` (build when needed, then run the site) and ``policykb users`` (the
workspace's staff accounts). ``kb.cli`` names them by import path (a lazy group), so the core never imports the
web layer."""

from __future__ import annotations

import sys
from typing import Any

import click

from kb import config
from kb.cli.options import documents_folders, folders_options, instance_option, json_option
from kb.cli.output import err, print_json, table

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


@click.command("serve")
@folders_options
@instance_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--threads", type=int, default=4, show_default=True)
@click.option("--no-build", is_flag=True, help="serve the existing index without updating it")
def serve_command(
    documents: tuple[str, ...],
    index: str | None,
    instance: str | None,
    host: str,
    port: int,
    threads: int,
    no_build: bool,
) -> int:
    """Run the site (builds the index first when needed)."""
    from kb.build import build
    from kb.store.generations import current_generation
    from web import create_app

    index_dir = config.index_dir(index)
    folders = documents_folders(documents)
    if current_generation(index_dir) is None or not no_build:
        report = build(folders, index_dir, quiet=False, wait=60)
        for item in report.rejected:
            err(f"拒收 rejected: {item['source']}: {item['reason']}")
        click.echo(report.summary())
    app = create_app(
        {
            "INDEX_DIR": str(index_dir.resolve()),
            "DOCUMENTS": [str(folder.resolve()) for folder in folders],
            "INSTANCE_DIR": str(config.instance_dir(instance).resolve()),
        }
    )
    server = make_server(app, host, port, threads)
    click.echo(f"PolicyKB 政策知识库: http://{host}:{port}/  (Ctrl+C 退出)")
    try:
        server.run()
    finally:
        server.close()
    return 0


def make_server(app: Any, host: str, port: int, threads: int) -> Any:
    """The waitress server ``serve`` runs: our settings, and waitress's own error answers (400 for a malformed
    request, 431 for headers over the limit…) carry the site's security headers too."""
    import waitress
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    from web.security import HEADERS

    class SecureErrorTask(ErrorTask):  # type: ignore[misc]
        def execute(self) -> None:
            self.response_headers.extend(HEADERS.items())
            super().execute()

    class SecureChannel(HTTPChannel):  # type: ignore[misc]
        error_task_class = SecureErrorTask

    server = waitress.create_server(
        app, host=host, port=port, threads=threads, ident="PolicyKB", **SERVER_SETTINGS
    )
    server.channel_class = SecureChannel
    return server


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


@click.group("users")
def users_command() -> None:
    """Staff accounts of the workspace (kept in the instance folder)."""


def _store(instance: str | None):  # type: ignore[no-untyped-def]
    from web.workspace.accounts import UserStore

    return UserStore(config.instance_dir(instance))


def _account_errors():  # type: ignore[no-untyped-def]
    from web.workspace.accounts import UserError

    return (UserError, ValueError)


@users_command.command("add")
@instance_option
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "admin"]), default="editor")
def users_add(instance: str | None, name: str, role: str) -> int:
    """Add a user (password from standard input, or typed twice)."""
    try:
        user = _store(instance).add(name, _read_password(), role=role)
    except _account_errors() as exc:
        err(str(exc))
        return 1
    click.echo(f"已添加用户 added: {user.name} ({user.role})")
    return 0


@users_command.command("list")
@instance_option
@json_option
def users_list(instance: str | None, as_json: bool) -> int:
    """List users."""
    users = _store(instance).list()
    if as_json:
        print_json([u.public() for u in users])
    elif not users:
        click.echo("尚无用户。添加：policykb users add NAME  No users yet.")
    else:
        rows = [[u.name, u.role, u.created, u.changed] for u in users]
        click.echo(table(rows, ["用户 user", "角色 role", "创建 created", "改密 changed"], [20, 8, 25, 25]))
    return 0


@users_command.command("remove")
@instance_option
@click.argument("name")
def users_remove(instance: str | None, name: str) -> int:
    """Remove a user (their sessions end)."""
    try:
        _store(instance).remove(name)
    except _account_errors() as exc:
        err(str(exc))
        return 1
    click.echo(f"已删除用户 removed: {name}")
    return 0


@users_command.command("passwd")
@instance_option
@click.argument("name")
def users_passwd(instance: str | None, name: str) -> int:
    """Set a user's password (their sessions end)."""
    try:
        user = _store(instance).set_password(name, _read_password())
    except _account_errors() as exc:
        err(str(exc))
        return 1
    click.echo(f"已修改密码 password changed: {user.name}")
    return 0


@users_command.command("role")
@instance_option
@click.argument("name")
@click.argument("role", type=click.Choice(["editor", "admin"]))
def users_role(instance: str | None, name: str, role: str) -> int:
    """Change a user's role."""
    try:
        user = _store(instance).set_role(name, role)
    except _account_errors() as exc:
        err(str(exc))
        return 1
    click.echo(f"已设为 {user.role}: {user.name}")
    return 0
