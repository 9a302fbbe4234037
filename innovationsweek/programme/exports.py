"""Whole-programme exports (the iCalendar of every activity) written once per programme version
to a file under the instance folder, and served from it until the programme changes.

The first request after a change streams the export as its entries are read and writes the same
bytes to the file beside; only a complete file is put in place, so a broken-off stream leaves
nothing half-written for the next request. Memory stays flat whatever the programme's size.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from innovationsweek.programme.cache import ProgrammeVersion


def export_file(instance_path: Path, slug: str, version: ProgrammeVersion, suffix: str) -> Path:
    return instance_path / "exports" / slug / f"{version.tag}.{suffix}"


def written_while_streamed(path: Path, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Yields ``chunks`` and writes them to ``path`` once all have been yielded; then removes
    the files of older versions beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
                yield chunk
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)
    _remove_older_than(path)


def _remove_older_than(path: Path) -> None:
    for other in path.parent.glob(f"*{path.suffix}"):
        if other != path:
            other.unlink(missing_ok=True)
