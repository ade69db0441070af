"""The ``policykb`` command (Click): one module per group of commands, options beside their command.

Exit codes: 0 success; 1 when a build rejected any file (each is named with its reason), or an id/query was not
found; 2 usage errors; 3 another build holds the index's lock (nothing was done); 4 the build failed (disk full,
out of memory…; the live index is unchanged and the message says what to do), or the command failed on an
unexpected error (one line says which; ``POLICYKB_DEBUG=1`` shows the traceback).

The site's commands (``serve``, ``users``) live with the site (``web.cli``); this group names them by import path
and loads them when they are asked for (Click's lazy-group pattern), so the core never imports the web layer.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from kb.build import EXIT_FAILED, EXIT_LOCKED, BuildError
from kb.cli.browse import (
    documents_command,
    indicators_command,
    measures_command,
    results_command,
    show_command,
    targets_command,
)
from kb.cli.build import build_command, config_command
from kb.cli.cite import cite_command, export_command
from kb.cli.compare import compare_command
from kb.cli.search import search_command
from kb.store.generations import BuildLocked, StoreError

LAZY_COMMANDS = {"serve": "web.cli:serve_command", "users": "web.cli:users_command"}
EXIT_USAGE = 2


class LazyGroup(click.Group):
    """A group some of whose commands are imported only when used (named ``module:attribute``)."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            return getattr(importlib.import_module(module), attribute)  # type: ignore[no-any-return]
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """政策知识库 PolicyKB."""


for _command in (
    build_command,
    config_command,
    documents_command,
    measures_command,
    targets_command,
    results_command,
    indicators_command,
    show_command,
    search_command,
    cite_command,
    export_command,
    compare_command,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code (see the module docstring)."""
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None, prog_name="policykb", standalone_mode=False
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        print("已中断 interrupted", file=sys.stderr)
        return 130
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
    except (
        Exception
    ) as exc:  # a bug: a clear line, exit 4 (the workspace shows it as a failed run), no traceback
        if os.environ.get("POLICYKB_DEBUG"):
            raise
        print(
            f"失败 failed: {type(exc).__name__}: {exc}（设置 POLICYKB_DEBUG=1 可查看详细信息 set POLICYKB_DEBUG=1 for"
            " the traceback）",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return int(code or 0)


def entry() -> None:
    sys.exit(main())
