"""Work each web worker would otherwise do on its first requests, done once in the gunicorn
master before it forks the workers (gunicorn.conf.py loads the app there): the project's
templates compiled into the cached loader, the URL resolver's reverse tables built. A
worker recycled under load then serves at full speed at once."""

from __future__ import annotations

from pathlib import Path

from django.template import engines
from django.urls import get_resolver


def warm() -> int:
    """Compile the project's templates and build the URL tables; returns how many
    templates were compiled."""
    engine = engines["django"]
    compiled = 0
    for directory in map(Path, engine.engine.dirs):
        for path in sorted(directory.rglob("*")):
            if path.suffix in (".html", ".txt"):
                engine.get_template(path.relative_to(directory).as_posix())
                compiled += 1
    get_resolver().reverse_dict  # noqa: B018 (built on first access)
    return compiled
