"""axe-core in the browser tests: run it on a page, keep what it finds, write the report.

axe-core comes from the npm registry for the tests only (tests/browser/package.json,
`npm ci --prefix tests/browser`); it is injected into the pages, never shipped. Serious
and critical WCAG violations fail the test that ran axe; every finding (minor and
moderate violations, axe's best-practice advice, the checks axe could not decide) goes to
test-artifacts/axe-report.json and .md — one pair per test process (`-gw0`, `-gw1` …
under pytest-xdist) — and to the summary printed at the end of the run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

FINDINGS: list[dict] = []  # every finding of this process, for the report


def run_axe(page, axe_source: str) -> dict:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)  # through DevTools: allowed by the site's Content-Security-Policy
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'incomplete']})",
        TAGS + ["best-practice"],
    )


def is_wcag(rule: dict) -> bool:
    return bool(set(rule["tags"]) & set(TAGS))


def record(case: str, url: str, result: dict) -> list[dict]:
    """Adds the findings to the report; returns the serious and critical WCAG violations."""
    for kind, rules in (("violation", result["violations"]), ("needs review", result["incomplete"])):
        for v in rules:
            FINDINGS.append({
                "case": case, "url": url, "kind": kind if is_wcag(v) else f"{kind} (best practice)", "id": v["id"],
                "impact": v["impact"], "help": v["help"], "helpUrl": v["helpUrl"],
                "nodes": [
                    {"target": n["target"], "html": n["html"][:300], "summary": n.get("failureSummary", "")}
                    for n in v["nodes"]
                ],
            })  # fmt: skip
    return [v for v in result["violations"] if is_wcag(v) and v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes'][:5]]}\n"
        f"    {v['nodes'][0].get('failureSummary', '')}"
        for v in violations
    )


def check(page, axe_source: str, case: str) -> None:
    """Runs axe on the page as it is; fails on a serious or critical WCAG violation."""
    blocking = record(case, page.url, run_axe(page, axe_source))
    assert not blocking, describe(blocking)


def write_report(artifacts: Path, report) -> None:
    """test-artifacts/axe-report[-worker].json and .md, and the summary lines."""
    suffix = f"-{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""
    wcag = [f for f in FINDINGS if f["kind"] == "violation"]
    blocking = [f for f in wcag if f["impact"] in BLOCKING]
    others = [f for f in FINDINGS if f not in blocking]
    (artifacts / f"axe-report{suffix}.json").write_text(
        json.dumps({"tags": TAGS, "findings": FINDINGS}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    lines = [
        "# axe-core: WCAG 2.1 AA (wcag2a, wcag2aa, wcag21a, wcag21aa) and best practice", "",
        f"WCAG violations: {len(blocking)} serious or critical, {len(wcag) - len(blocking)} minor or moderate; "
        f"other findings (best practice, needs review): {len(FINDINGS) - len(wcag)}", "",
    ]  # fmt: skip
    for f in FINDINGS:
        targets = ", ".join(str(n["target"]) for n in f["nodes"][:4])
        lines.append(
            f"- {f['kind']}, {f['impact']}: `{f['id']}` on {f['case']}: {f['help']} "
            f"({len(f['nodes'])} elements: {targets})"
        )
    (artifacts / f"axe-report{suffix}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report("accessibility", lines[2] + f"; test-artifacts/axe-report{suffix}.md")
    for f in others:
        report(
            "accessibility",
            f"  {f['kind']}, {f['impact']}: {f['id']} on {f['case']}: {f['help']} ({len(f['nodes'])} elements)",
        )
