"""`make bench` (issue 19): the synthetic site covers every type and passes `gongkai check`;
benchmarks/run.py prints one table with the peers beside gongkai, the ratios and the
targets, and the stage profile of `gongkai build --profile` in its notes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarks"
TYPES = {"article", "duty", "fee", "procedure", "budget", "appointment", "work_report", "consultation",
         "procurement", "letter", "annual_report"}


def test_synthetic_site_has_every_type_and_passes_check(tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, BENCH / "synth.py", "60", site, "--seed", "3"], check=True)
    config = yaml.safe_load((site / "site_config.yml").read_text(encoding="utf-8"))
    types = {c["key"]: c["type"] for c in config["categories"]}
    assert set(types.values()) == TYPES
    # every type has items (not only a category): the first folder of each registered path
    registry = (site / "content" / ".registry").read_text(encoding="utf-8").splitlines()
    used = {types[line.split("\t")[1].split("/")[1]] for line in registry}
    assert used == TYPES
    check = subprocess.run([sys.executable, "-m", "generator", "check", "-s", site], cwd=REPO,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "检查通过：60 个条目" in check.stderr + check.stdout
    assert "警告" not in check.stderr + check.stdout


def test_synthetic_site_is_deterministic(tmp_path):
    for name in ("a", "b"):
        subprocess.run([sys.executable, BENCH / "synth.py", "30", tmp_path / name, "--seed", "5"], check=True)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_run_prints_one_table_with_peers_ratios_and_profile(tmp_path):
    out = tmp_path / "bench.json"
    cases = "gongkai build,hugo,mkdocs"
    run = subprocess.run([sys.executable, BENCH / "run.py", "--items", "60", "--repeat", "1", "--cases", cases,
                          "--cache", tmp_path / "cache", "--json", out], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = {r["case"]: r for r in json.loads(out.read_text(encoding="utf-8"))["results"]}
    assert set(rows) == {"gongkai build", "hugo + pagefind", "mkdocs-material, no search"}  # no -j, no CI row
    build, mkdocs = rows["gongkai build"], rows["mkdocs-material, no search"]
    assert build["exit"] == 0 and mkdocs["exit"] == 0
    # the profile: wall and CPU of each stage, load+check first, Pagefind's CPU in the children
    stages = [s["stage"] for s in build["profile"]]
    assert stages[0] == "load+check" and {"items", "search", "publish"} <= set(stages)
    assert all(s["wall"] >= 0 and s["cpu"] >= 0 and s["cpu_children"] >= 0 for s in build["profile"])
    assert sum(s["cpu_children"] for s in build["profile"]) > 0
    # peers: with and without their convert phase
    assert 0 < mkdocs["median_without_convert_s"] < mkdocs["median_s"]
    ratio = build["median_s"] / mkdocs["median_s"]
    assert f"{ratio:.2f}× (" in build["ratio"] and "mkdocs-material, no search" in build["ratio"]
    assert build["target"] and isinstance(build["met"], (bool, type(None)))
    if shutil.which("hugo"):
        hugo = rows["hugo + pagefind"]
        assert f"{build['median_s'] / hugo['median_s']:.2f}× (" in build["ratio"]
        assert build["met"] == (build["median_s"] <= hugo["median_without_convert_s"]
                                and build["median_s"] <= 0.5 * mkdocs["median_without_convert_s"])
    else:
        assert "skipped" in rows["hugo + pagefind"]
    # one Markdown table: a header with the target and ratio columns, one line per row
    lines = [line for line in run.stdout.splitlines() if line.startswith("|")]
    assert re.match(r"\| case \| median s \| target \| met \| ratio \|", lines[0])
    assert [line.split(" | ")[0][2:] for line in lines[2:]] == list(rows)
    assert "load+check" in lines[2] and "CPU" in lines[2]


def test_synthetic_letters_are_replied_before_publication_even_on_the_first_days(tmp_path):
    """At 100,000 items some letters fall on the first working days of 2020: their
    message and reply must still come before publication (`letter-order`)."""
    sys.path.insert(0, str(BENCH))
    from synth import Synth

    synth = Synth(0, tmp_path, seed=1)
    for _ in range(5000):  # ~27 publication days among the first 8 working days
        it = {"published": synth.published_for("letter")[0], "dept": "县信访局", "title": "-",
              "index_no": "-", "type": "letter", "category": "letters"}
        d = synth.letter(it)
        assert d["letter"]["received"] < d["reply"]["date"] <= it["published"]
        assert d["letter"]["received"] >= synth.days[0]
