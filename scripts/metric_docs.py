"""Rewrite the metric table in docs/metrics.md from the metric registry (default windows)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mhu.services.metrics.registry import with_metric_table  # noqa: E402  (after the path fix above)

DOC = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"

if __name__ == "__main__":
    DOC.write_text(with_metric_table(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote the metric table in {DOC}")
