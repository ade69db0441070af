"""Where things live: documents, index, the bureau's configuration and the site's instance folder.

Each is an option, else an environment variable, else a default relative to the working directory:

=============  ====================  ========================  ===========================================
what           option                environment               default
=============  ====================  ========================  ===========================================
documents      ``--documents DIR``   ``POLICYKB_DOCUMENTS``    ``documents/`` (the variable joins with ':')
index          ``--index DIR``       ``POLICYKB_INDEX``        ``index/``
configuration  ``--config DIR``      ``POLICYKB_CONFIG``       ``config/`` (created by ``policykb config init``)
instance       ``--instance DIR``    ``POLICYKB_INSTANCE``     ``instance/`` (secret key, users; mode 0700)
=============  ====================  ========================  ===========================================

**Configuration** is plain data a bureau edits: the taxonomy, the jieba user dictionary, synonyms, concepts,
units and the indicator table (``CONFIG_FILES``). A file in the configuration folder replaces the packaged default of the same name
(``kb/data/``), file by file; a missing one falls back to the default. Every file in the folder counts in
``config_fingerprint``, so an edit makes the next build re-analyse everything.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

DEFAULT_DOCUMENTS = "documents"
DEFAULT_INDEX = "index"
DEFAULT_CONFIG = "config"
DEFAULT_INSTANCE = "instance"

ENV_DOCUMENTS = "POLICYKB_DOCUMENTS"
ENV_INDEX = "POLICYKB_INDEX"
ENV_CONFIG = "POLICYKB_CONFIG"
ENV_INSTANCE = "POLICYKB_INSTANCE"

PACKAGE_DATA = Path(__file__).resolve().parent / "data"

# The bureau-editable files, with what each holds (shown by `policykb config init` and the README).
CONFIG_FILES: dict[str, str] = {
    "taxonomy.toml": "措施类别：名称、说明、关键词 categories: name, description, keywords",
    "userdict.txt": "jieba 用户词典（政策术语）user dictionary of policy terms",
    "synonyms.txt": "检索同义词与简称（高企 → 高新技术企业）query-time synonyms and abbreviations",
    "concepts.toml": "目标与措施关联时的概念等价 concept equivalences for target↔measure links",
    "units.txt": "数量的计量单位、同一单位的别名、“左右”容差 units of quantities, their other names, the 左右 tolerance",
    "indicators.toml": "指标序列：指标名称的同义写法、地区识别 indicator names, regions",
}

_active_config: Path | None = None


def documents_folders(option: Sequence[str] | None = None) -> list[Path]:
    """``--documents`` (repeatable), else ``POLICYKB_DOCUMENTS`` (joined with ':'), else ``documents/``."""
    if option:
        return [Path(p) for p in option]
    env = os.environ.get(ENV_DOCUMENTS, "")
    folders = [Path(p) for p in env.split(":") if p.strip()]
    return folders or [Path(DEFAULT_DOCUMENTS)]


def index_dir(option: str | None = None) -> Path:
    """``--index``, else ``POLICYKB_INDEX``, else ``index/``."""
    return Path(option or os.environ.get(ENV_INDEX) or DEFAULT_INDEX)


def instance_dir(option: str | Path | None = None) -> Path:
    """``--instance``, else ``POLICYKB_INSTANCE``, else ``instance/`` (Flask's instance-folder convention)."""
    return Path(option or os.environ.get(ENV_INSTANCE) or DEFAULT_INSTANCE)


def use_config_dir(directory: str | Path | None) -> None:
    """Make ``directory`` this process's configuration folder (``None``: back to the environment/default).

    Called once at start-up by the command line and the site; forked build workers inherit it.
    """
    global _active_config
    _active_config = Path(directory) if directory else None


def config_dir() -> Path:
    """The configuration folder in use: ``use_config_dir``, else ``POLICYKB_CONFIG``, else ``config/``."""
    if _active_config is not None:
        return _active_config
    return Path(os.environ.get(ENV_CONFIG) or DEFAULT_CONFIG)


def default_file(name: str) -> Path:
    """The packaged default of a configuration file."""
    return PACKAGE_DATA / name


def config_file(name: str, directory: Path | None = None) -> Path:
    """The file a loader reads for ``name``: the bureau's copy when the folder has one, else the default."""
    folder = directory if directory is not None else config_dir()
    candidate = folder / name
    return candidate if candidate.is_file() else default_file(name)


def config_fingerprint(directory: Path | None = None) -> str:
    """sha1 over every file that shapes the knowledge base: each effective configuration file (the bureau's
    or the default) and any other file the folder holds."""
    folder = directory if directory is not None else config_dir()
    digest = hashlib.sha1()
    names = set(CONFIG_FILES)
    if folder.is_dir():
        names |= {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
    for name in sorted(names):
        path = config_file(name, folder)
        try:
            data = path.read_bytes()
        except OSError:
            data = b"<missing>"
        digest.update(name.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def init_config(directory: Path | None = None, *, overwrite: bool = False) -> list[Path]:
    """Copy the packaged defaults into the configuration folder (created on demand); return the files written.

    Existing files are kept unless ``overwrite``: a bureau's edits are never replaced by surprise.
    """
    folder = directory if directory is not None else config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CONFIG_FILES:
        target = folder / name
        if target.exists() and not overwrite:
            continue
        shutil.copyfile(default_file(name), target)
        written.append(target)
    return written
