"""Accessibility checks in the browser tests: axe-core, vendored, injected into the page under test.

The script is evaluated through the DevTools protocol, so the app's Content-Security-Policy (which
refuses inline scripts) does not have to be loosened for tests.
"""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING_IMPACTS = ("critical", "serious")


def axe_violations(page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core (WCAG 2.x A/AA rules) on the current page; return violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async () => {
            const run = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
                resultTypes: ['violations'],
            });
            return run.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [violation for violation in result if violation["impact"] in impacts]


def assert_accessible(page, where: str) -> None:
    """Fail with a readable list when axe-core finds a critical or serious violation."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {where}:\n" + "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} at {', '.join(v['nodes'])}" for v in violations
    )
