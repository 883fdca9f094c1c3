"""The demo unit: a mid-size Mental Health Unit's two years of work, for trying MHU and benchmarks.

`generator` writes the rows in bulk, `calls` draws each call and what hangs off it, `vocab` holds
the names, districts and mixes the draws come from.
"""

from mhu.services.demo.generator import OPEN_WINDOW_HOURS, demo_exists, demo_users, generate_demo

__all__ = ["OPEN_WINDOW_HOURS", "demo_exists", "demo_users", "generate_demo"]
