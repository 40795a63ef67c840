"""Generate and build an N-item site for the weight tests: `python bigsite.py N ROOT`.

ROOT/src receives the sources, ROOT/site the built site. The sources come from
benchmarks/synth.py (ten categories, all seven types) when that file exists and works;
otherwise from the small generator below (articles in four categories, with index
numbers and a registry, the word 防汛 in about one in ten). Then an update, as an
office makes one: an item of the newest year edited (a `revisions:` entry, a sentence
with 防汛), published and built again into the same folder, so that the site searched
has a delta index and a stale result. Lines starting with "bigsite:" report what was
done; conftest.py's `big_site` fixture prints them.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SYNTH = REPO / "benchmarks" / "synth.py"

CATEGORIES = """\
categories:
  - key: notices
    title: 通知公告
    type: article
    code: "01"
  - key: news
    title: 工作动态
    type: article
    code: "02"
  - key: policies
    title: 政策文件
    type: article
    code: "03"
  - key: reports
    title: 工作总结
    type: article
    code: "04"
"""
WORDS = (
    "县政府办公室认真贯彻落实上级部署，进一步提高工作效率和服务水平。",
    "各乡镇、各部门要高度重视，切实加强组织领导，明确责任分工。",
    "确保各项工作落到实处、取得实效。", "会议要求，要坚持问题导向，群众反映强烈的问题要限期整改。",
    "相关单位应当于本月底前报送材料。", "持续优化营商环境，推进政务服务“一网通办”。", "做好安全生产和森林防火工作。",
    "扎实推进乡村振兴和农村人居环境整治。", "加强养老服务体系建设，完善社会救助制度。",
    "深化政务公开，提升政策解读质量。",
)  # fmt: skip


def fallback(n: int, src: Path) -> None:
    """N valid articles over 2020–2025 with index numbers and content/.registry."""
    sys.path.insert(0, str(HERE.parent))
    from helpers import make_config, num

    rng = random.Random(1)
    (src / "content").mkdir(parents=True, exist_ok=True)
    (src / "site_config.yml").write_text(make_config(categories=CATEGORIES), encoding="utf-8")
    keys = ["notices", "news", "policies", "reports"]
    per_year: dict[int, int] = {}
    registry = []
    for i in range(n):
        year = 2020 + i % 6
        per_year[year] = per_year.get(year, 0) + 1
        seq = per_year[year]
        key = keys[i % len(keys)]
        month, day = 1 + (seq * 7) % 12, 1 + (seq * 11) % 28
        body = "".join(rng.sample(WORDS, 6))
        if i % 10 == 0:
            body += "汛期将至，各地要做好防汛防台各项准备工作。"
        number = num(year, seq)
        path = f"content/{key}/{year}/a{i:05d}.md"
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(
            f"---\nindex_no: {number}\ntitle: 第{i + 1}号工作通报（{year}年）\n"
            f"published: {year}-{month:02d}-{day:02d}\n---\n\n{body}\n",
            encoding="utf-8",
        )
        registry.append(f"{number}\t{path}")
    (src / "content" / ".registry").write_text("\n".join(sorted(registry)) + "\n", encoding="utf-8")


def revise(src: Path) -> Path:
    """Edit the first item of the newest year: a revision (dated its publication day) and
    a sentence with 防汛 at the end of its body. Returns the file edited."""
    years = sorted({p.parent.name for p in (src / "content").glob("*/*/*.md") if p.parent.name.isdigit()})
    newest = (src / "content").glob(f"*/{years[-1]}/*.md")
    path = sorted(p for p in newest if "revisions:" not in p.read_text(encoding="utf-8"))[0]
    text = path.read_text(encoding="utf-8")
    published = re.search(r"^published: *(\S+)$", text, re.M).group(1)
    head, body = text.split("\n---\n", 1)
    revision = f"\nrevisions:\n- date: {published}\n  note: 补充防汛工作要求"
    path.write_text(f"{head}{revision}\n---\n{body.rstrip()}\n\n各地要做好防汛物资储备。\n", encoding="utf-8")
    return path


def main() -> int:
    n, root = int(sys.argv[1]), Path(sys.argv[2])
    src, out = root / "src", root / "site"
    start = time.perf_counter()
    how = "benchmarks/synth.py"
    if SYNTH.is_file():
        done = subprocess.run([sys.executable, str(SYNTH), str(n), str(src)], capture_output=True, text=True)
        if done.returncode != 0 or not (src / "site_config.yml").is_file():
            print(f"bigsite: benchmarks/synth.py failed ({done.returncode}): {done.stderr.strip()[-500:]}")
            how = "fallback generator"
    else:
        how = "fallback generator (benchmarks/synth.py missing)"
    if how != "benchmarks/synth.py":
        if src.exists():
            import shutil

            shutil.rmtree(src)
        fallback(n, src)
    generated = time.perf_counter()
    print(f"bigsite: {n} items by {how} in {generated - start:.1f} s", flush=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1728316800")}

    def build() -> int:
        # `gongkai build` builds recorded versions only
        publish = [sys.executable, "-m", "generator", "publish", "-s", str(src)]
        subprocess.run(publish, cwd=REPO, env=env, capture_output=True)
        done = subprocess.run(
            [sys.executable, "-m", "generator", "build", "-s", str(src), "-o", str(out)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        print(done.stdout[-2000:], done.stderr[-4000:], sep="\n", flush=True)
        return done.returncode

    if build() != 0:
        return 1
    built = time.perf_counter()
    print(f"bigsite: built in {built - generated:.1f} s", flush=True)
    edited = revise(src)
    if build() != 0:
        return 1
    print(f"bigsite: {edited.relative_to(src)} revised, updated in {time.perf_counter() - built:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    status = "1"
    try:
        status = str(main())
    finally:  # what tests/browser/conftest.py waits for (killed: no file)
        (Path(sys.argv[2]) / "exit").write_text(status, encoding="utf-8")
    sys.exit(int(status))
