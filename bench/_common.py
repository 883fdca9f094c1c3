"""What every benchmark shares: the machine's description and appending rows to bench/README.md."""

import os
import platform
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def machine() -> str:
    """The interpreter and CPU count, the last column of every table."""
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"


def append_rows(marker: str, lines: list[str]) -> None:
    """Insert table rows before the `marker` comment that ends a table in bench/README.md."""
    text = README.read_text()
    if marker not in text:
        raise SystemExit(f"{README} has no {marker} marker; not appending")
    README.write_text(text.replace(marker, "\n".join(lines) + "\n" + marker))
    print(f"appended to bench/{README.name}")
