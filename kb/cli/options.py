"""Options shared by the commands: where the documents, the index, the configuration and the instance are."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kb import config
from kb.store.knowledge import KnowledgeBase


def folders_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--documents DIR`` (repeatable), ``--index DIR`` and ``--config DIR`` on a command; the configuration folder
    is put in use before the command runs."""

    @click.option(
        "--documents",
        "documents",
        multiple=True,
        metavar="DIR",
        help="documents folder (repeatable; default $POLICYKB_DOCUMENTS or documents/)",
    )
    @click.option("--index", "index", metavar="DIR", help="index folder (default $POLICYKB_INDEX or index/)")
    @click.option(
        "--config",
        "config_dir",
        metavar="DIR",
        help="configuration folder (default $POLICYKB_CONFIG or config/)",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, config_dir: str | None = None, **kwargs: Any) -> Any:
        config.use_config_dir(config_dir)
        return func(*args, **kwargs)

    return wrapper


def instance_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--instance", metavar="DIR", help="instance folder (default $POLICYKB_INSTANCE or instance/)"
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="print JSON (the site's /api shape)")(func)


def documents_folders(documents: tuple[str, ...]) -> list[Path]:
    return config.documents_folders(list(documents) or None)


def open_kb(index: str | None) -> KnowledgeBase:
    return KnowledgeBase.open(config.index_dir(index))
