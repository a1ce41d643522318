"""Sub-commands that live in their own modules: each module here defines `register(app)`.

`tzkg.cli` calls `register_all(app)`, so a new command is a new module, not an edit of cli.py.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    """Import every module of this package and let it add its commands to `app`."""
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        imported = importlib.import_module(f"{__name__}.{module.name}")
        register = getattr(imported, "register", None)
        if register is not None:
            register(app)
