"""axe-core in the browser tests: WCAG 2.2 level A and AA, as a person's
browser shows the page.

The engine is vendored (``vendor/``, see its README) and handed to Chromium
as an init script, which the page's Content Security Policy does not apply
to: the app itself never serves it, and nothing is fetched at run time.
"""

import hashlib
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
# Success criteria of WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """tags => axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
}).then(results => results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
})))"""


def install_axe(context) -> None:
    """Load axe-core into every page ``context`` opens from now on."""
    digest = hashlib.sha256(AXE.read_bytes()).hexdigest()
    assert digest == AXE_SHA256, f"{AXE.name} was changed; see vendor/README.md"
    context.add_init_script(path=str(AXE))


def wcag_violations(page) -> list[str]:
    """Every WCAG 2.2 A/AA violation axe finds on ``page``, one line per
    element: rule, impact, what to fix and where."""
    found = []
    for violation in page.evaluate(_RUN, WCAG_22_AA):
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            found.append(
                f"{violation['id']} ({violation['impact']}) {node['target']}: "
                f"{violation['help']}. {summary}"
            )
    return found
