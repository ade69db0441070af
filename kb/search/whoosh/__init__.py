"""Every read of Whoosh internals, in one place: posting blocks (``postings``) and writer patches (``patches``).

This code reads the codec layout and private methods of one exact Whoosh release; importing it with any other
installed version fails at once instead of scoring or writing wrongly.
"""

from __future__ import annotations

import importlib.metadata

WHOOSH_DISTRIBUTION = "whoosh-reloaded"
WHOOSH_VERSION = "2.7.5"


def installed_whoosh() -> str:
    """The installed Whoosh distribution and version, e.g. ``whoosh-reloaded 2.7.5`` (or what is there)."""
    for dist in (WHOOSH_DISTRIBUTION, "Whoosh", "whoosh3", "whoosh-ng", "whoosh-novo"):
        try:
            return f"{dist} {importlib.metadata.version(dist)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    return "none"


def check_version() -> None:
    """Raise ``ImportError`` unless the pinned Whoosh is the one installed."""
    expected = f"{WHOOSH_DISTRIBUTION} {WHOOSH_VERSION}"
    found = installed_whoosh()
    if found != expected:
        raise ImportError(
            f"kb.search.whoosh reads the internals of {expected}, but {found} is installed; "
            "reinstall the pinned dependencies (make setup)."
        )


check_version()
