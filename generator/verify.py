"""`gongkai verify PATH-OR-URL`: check a built site against its own publication register.

Works on a folder (the output of `gongkai build`) or a live site over http(s). It

1. reads `data/register.json` and recomputes its hash chain (see `generator.register`):
   every link's `prev` is the hash before it (`genesis` for the first), every `hash` is
   recomputed, `head` and `count` agree, versions of an item are 1, 2, 3 … in order;
2. for each item, fetches its page (`url` of its latest version) and checks that
   - the embedded record (`<script id="gk-record">`) hashes to the item's latest
     registered content hash and names the same index number;
   - the fragment between `<!--gk-body-start-->` and `<!--gk-body-end-->` hashes to the
     page's `<meta name="gk-content-hash">`;
   - what a reader sees is what the record gives: the visible text, `<head>`, and the
     shell around the body (generator/binding.py); then attachments against
     data/attachments.json and the head, `data/catalogue.json` and the links of list
     pages against the register and the records' titles, and (in a folder) item pages
     the register does not know;

3. checks `data/register.head.json`: it names the same head and count, and its Ed25519
   signature holds (generator/signing.py); the key is named, or the output says the site
   has no key. `--key KEY` requires a signature by that key (base64 or fingerprint);
4. with `--extends OLD` (a folder or URL: the last head a monitor kept), checks that the
   new chain holds every entry of the old one unchanged and in the same order
   (`consistency`, cf. RFC 9162 consistency between two tree heads).

Every mismatch is printed as `path: what differs`. Exit 0 when all is well (one summary
line), 1 on any mismatch, 2 when the input cannot be read at all (no such folder, site
unreachable, no usable register).
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import sys
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

from generator import binding
from generator.register import (
    BODY_START,
    FORMAT,
    GENESIS,
    PUBLIC_PATH,
    RECORD_ID,
    chain_key,
    extract,
    link_hash,
    page_fingerprint,
    record_hash,
)
from generator.signing import ATTACHMENTS_PATH, HEAD_PATH, head_problems

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2
MAX_REGISTER_BYTES = 64 * 1024 * 1024
MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 512 * 1024 * 1024
TIMEOUT = 15.0
WORKERS = 8


class Unusable(Exception):
    """The input cannot be verified at all (exit 2)."""


class Missing(Exception):
    """One file is not there (a mismatch, exit 1)."""


# ---------------------------------------------------------------- sources


class FolderSource:
    def __init__(self, root: Path):
        self.root = root.resolve()
        if not self.root.is_dir():
            raise Unusable(f"文件夹 {root} 不存在")

    def describe(self, rel: str) -> str:
        return rel

    def read(self, rel: str, limit: int) -> bytes:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise Missing("路径指向网站文件夹之外")
        if path.is_dir():
            path = path / "index.html"
        try:
            size = path.stat().st_size
        except OSError:
            raise Missing("文件不存在") from None
        if size > limit:
            raise Missing(f"文件超过 {limit // (1024 * 1024)} MB")
        try:
            return path.read_bytes()
        except OSError as exc:
            raise Missing(f"无法读取：{exc.strerror}") from None


def _opener():
    """An opener that follows redirects to http/https only. urllib.request (with ssl and
    socket) loads only when a site is verified over HTTP: the build imports this module."""
    import urllib.request

    class SameSchemeRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            if urlsplit(newurl).scheme not in ("http", "https"):
                raise urllib.error.HTTPError(newurl, code, "只允许重定向到 http/https 地址", headers, fp)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(SameSchemeRedirects())


class HttpSource:
    def __init__(self, base: str, timeout: float = TIMEOUT):
        self.base = base if base.endswith("/") else base + "/"
        self.timeout = timeout
        self.opener = _opener()
        self.opener.addheaders = [("User-Agent", "gongkai-verify")]

    def describe(self, rel: str) -> str:
        return urljoin(self.base, rel)

    def read(self, rel: str, limit: int) -> bytes:
        url = urljoin(self.base, rel)
        try:
            with self.opener.open(url, timeout=self.timeout) as response:
                data = response.read(limit + 1)
        except urllib.error.HTTPError as exc:
            raise Missing(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Missing(f"无法访问：{reason}") from None
        if len(data) > limit:
            raise Missing(f"超过 {limit // (1024 * 1024)} MB")
        return data


def open_source(target: str, timeout: float = TIMEOUT):
    scheme = urlsplit(target).scheme.lower()
    if scheme in ("http", "https"):
        if not urlsplit(target).hostname:
            raise Unusable(f"网址 {target} 缺少主机名")
        return HttpSource(target, timeout)
    if len(scheme) > 1:  # c:\site is a Windows drive, not a scheme
        raise Unusable(f"只支持文件夹或 http/https 网址，不支持 {scheme}:")
    return FolderSource(Path(target))


# ---------------------------------------------------------------- the chain


def verify_chain(data: object) -> list[str]:
    """What is wrong with a parsed register.json (empty when the chain holds)."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return ["不是 gongkai 发布登记（缺少 entries 列表）"]
    found = []
    if data.get("format") != FORMAT:
        found.append(f"格式为 {data.get('format')!r}，应为 {FORMAT}")
    prev = GENESIS
    if data.get("genesis", GENESIS) != GENESIS:
        found.append(f"genesis 应为 {GENESIS}")
    versions: dict[str, int] = {}
    last_key = None
    for i, link in enumerate(data["entries"]):
        where = f"第 {i + 1} 条"
        try:
            index_no, version, date, digest = link["index_no"], link["version"], link["date"], link["content_hash"]
            if not (
                isinstance(index_no, str)
                and isinstance(version, int)
                and isinstance(date, str)
                and isinstance(digest, str)
            ):
                raise TypeError
        except (KeyError, TypeError):
            found.append(f"{where}：缺少 index_no、version、date 或 content_hash")
            continue
        where = f"{where}（{index_no} 第 {version} 版）"
        if link.get("prev") != prev:
            found.append(f"{where}：prev 为 {link.get('prev')}，应为前一条的 hash {prev}")
        expected = link_hash(prev, index_no, version, date, digest)
        if link.get("hash") != expected:
            found.append(f"{where}：hash 为 {link.get('hash')}，按内容重新计算应为 {expected}")
        key = chain_key(link)
        if last_key is not None and key < last_key:
            found.append(f"{where}：顺序错误，应按（日期、索引号、版本）排列")
        last_key = key
        if version != versions.get(index_no, 0) + 1:
            found.append(f"{where}：版本号不连续（上一版为 {versions.get(index_no, 0)}）")
        versions[index_no] = max(version, versions.get(index_no, 0))
        prev = expected
    if data.get("head") != prev:
        found.append(f"head 为 {data.get('head')}，应为最后一条的 hash {prev}")
    if data.get("count") != len(data["entries"]):
        found.append(f"count 为 {data.get('count')}，实有 {len(data['entries'])} 条")
    return found


def consistency(old: dict, new: dict) -> tuple[list[str], int]:
    """(what the new chain lost or changed of the old one, how many entries it added).

    Every entry of the old chain must be in the new one with the same date and content
    hash, and the old entries must keep their order; new entries may only be added."""
    at: dict[tuple, tuple[int, dict]] = {}
    for position, link in enumerate(new.get("entries") or []):
        if isinstance(link, dict):
            at.setdefault((link.get("index_no"), link.get("version")), (position, link))
    found, last = [], -1
    for i, link in enumerate(old.get("entries") or []):
        if not isinstance(link, dict):
            continue
        key = (link.get("index_no"), link.get("version"))
        where = f"已发布登记的第 {i + 1} 条（{key[0]} 第 {key[1]} 版，{link.get('date')}）"
        if key not in at:
            found.append(f"{where}在新的登记中不见了")
            continue
        position, now = at[key]
        if (now.get("date"), now.get("content_hash")) != (link.get("date"), link.get("content_hash")):
            found.append(
                f"{where}被改动了：内容哈希 {link.get('content_hash')} → {now.get('content_hash')}，"
                f"日期 {link.get('date')} → {now.get('date')}"
            )
        elif position < last:
            found.append(f"{where}的顺序变了")
        last = max(last, position)
    added = len(new.get("entries") or []) - len(old.get("entries") or [])
    return found, max(added, 0)


def read_register(source) -> dict:
    """The parsed data/register.json of a source; raises Unusable."""
    try:
        raw = source.read(PUBLIC_PATH, MAX_REGISTER_BYTES)
    except Missing as exc:
        raise Unusable(f"无法读取 {source.describe(PUBLIC_PATH)}：{exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Unusable(f"{source.describe(PUBLIC_PATH)} 不是有效的 JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise Unusable(f"{source.describe(PUBLIC_PATH)} 不是 gongkai 发布登记")
    return data


def read_head(source) -> object:
    """The parsed head file, or None when the source has none or it is not JSON."""
    try:
        return json.loads(source.read(HEAD_PATH, MAX_PAGE_BYTES).decode("utf-8"))
    except (Missing, UnicodeDecodeError, ValueError):
        return None


def _key_of(head: object) -> str | None:
    """The fingerprint of the key that signed a head, or None."""
    key = head.get("key") if isinstance(head, dict) else None
    return key.get("fingerprint") if isinstance(key, dict) else None


def check_head(source, data: dict, key: str | None, old_head: object = None) -> tuple[list[str], str]:
    """The head file against the chain, its signature, and the key of an older head."""
    head = read_head(source)
    if head is None:
        return [f"{source.describe(HEAD_PATH)}: 缺少链头文件或不是有效的 JSON"], ""
    found, named = head_problems(head, data, key)
    old_key, new_key = _key_of(old_head), _key_of(head)
    if old_key and old_key != new_key:
        found.append(
            f"{HEAD_PATH}: 以前的链头由密钥 {old_key} 签名，"
            f"新的链头{'由 ' + new_key + ' 签名' if new_key else '没有签名'}"
        )
    return found, named


def latest_links(data: dict) -> dict[str, dict]:
    """index_no → its link with the highest version."""
    found: dict[str, dict] = {}
    for link in data["entries"]:
        if (
            not isinstance(link, dict)
            or not isinstance(link.get("index_no"), str)
            or not isinstance(link.get("version"), int)
        ):
            continue
        held = found.get(link["index_no"])
        if held is None or link["version"] > held["version"]:
            found[link["index_no"]] = link
    return found


# ---------------------------------------------------------------- pages


def safe_url(url: object) -> str | None:
    """A site-relative page URL, or None when it is not one (absolute, escaping, …)."""
    if not isinstance(url, str) or not url or url.startswith(("/", "\\")) or "\\" in url:
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.query or parts.fragment:
        return None
    if ".." in PurePosixPath(parts.path).parts:
        return None
    return url


def page_file(url: str) -> str:
    return url + "index.html" if url.endswith("/") else url


_COLUMN = re.compile(r"<meta\s+name=\"ColumnName\"\s+content=\"([^\"]*)\"", re.IGNORECASE)


@dataclass
class Page:
    """What one item page showed: its problems, and its shell for `binding.shell_problems`."""

    problems: list[str]
    where: str = ""
    category: str = ""
    skeleton: str | None = None
    files: list[str] = field(default_factory=list)  # the attachments its record names
    url: str = ""
    title: str | None = None  # the record's title


def check_page(source, index_no: str, link: dict, site: str = "") -> Page:
    url = safe_url(link.get("url"))
    if url is None:
        return Page([f"{PUBLIC_PATH}: {index_no} 没有有效的页面地址 url（{link.get('url')!r}）"])
    rel = page_file(url)
    where = source.describe(rel)
    try:
        raw = source.read(rel, MAX_PAGE_BYTES)
    except Missing as exc:
        return Page([f"{where}: 无法读取条目 {index_no} 的页面（{exc}）"])
    try:
        page = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Page([f"{where}: 页面不是 UTF-8 编码"])
    record, fingerprint, fragment = extract(page)
    found, parsed = [], None
    if record is None:
        found.append(f"{where}: 页面中没有内容记录 <script id=\"gk-record\">")
    else:
        try:
            parsed = json.loads(record)
            digest = record_hash(record)
        except ValueError:
            found.append(f"{where}: 内容记录不是有效的 JSON")
        else:
            if not isinstance(parsed, dict) or parsed.get("index_no") != index_no:
                shown = parsed.get("index_no") if isinstance(parsed, dict) else None
                found.append(f"{where}: 内容记录的索引号为 {shown}，登记为 {index_no}")
            if digest != link.get("content_hash"):
                found.append(
                    f"{where}: 内容记录的哈希 {digest} 与条目 {index_no} 登记的第 {link.get('version')} 版 "
                    f"{link.get('content_hash')} 不同"
                )
    if fingerprint is None:
        found.append(f"{where}: 页面中没有 <meta name=\"gk-content-hash\">")
    if fragment is None:
        found.append(f"{where}: 页面中没有正文标记 <!--gk-body-start--> … <!--gk-body-end-->")
    if fingerprint is not None and fragment is not None and page_fingerprint(fragment) != fingerprint:
        found.append(
            f"{where}: 正文与页面指纹不符（页面内容在生成后被改动过）："
            f"指纹 {fingerprint}，实际 {page_fingerprint(fragment)}"
        )
    if not isinstance(parsed, dict) or fragment is None:
        return Page(found, where)
    found += binding.body_problems(where, parsed, fragment)
    found += binding.head_problems(where, parsed, page, site)
    column = _COLUMN.search(page)
    category = html.unescape(column.group(1)) if column else url.split("/", 1)[0]
    named = [text.removeprefix("content/") for text in binding.strings(parsed)]
    files = [text for text in named if text.startswith("attachments/")]
    title = str(parsed.get("title", ""))
    return Page(found, where, category, binding.skeleton(page, title), files, url, title)


def attachment_problems(source, head: object, named: set[str]) -> list[str]:
    """Every attachment against data/attachments.json, whose sha256 the head carries; every
    attachment a record names must be listed."""
    digest = head.get("attachments") if isinstance(head, dict) else None
    if not isinstance(digest, str):
        return [f"{source.describe(HEAD_PATH)}: 链头没有附件清单的摘要（attachments）"]
    try:
        raw = source.read(ATTACHMENTS_PATH, MAX_REGISTER_BYTES)
        listed = json.loads(raw.decode("utf-8"))
    except Missing as exc:
        return [f"{source.describe(ATTACHMENTS_PATH)}: 无法读取附件清单（{exc}）"]
    except (UnicodeDecodeError, ValueError):
        return [f"{source.describe(ATTACHMENTS_PATH)}: 不是有效的 JSON"]
    if "sha256:" + hashlib.sha256(raw).hexdigest() != digest or not isinstance(listed, dict):
        return [f"{source.describe(ATTACHMENTS_PATH)}: 附件清单与链头记录的摘要 {digest} 不符（清单在生成后被改动过）"]
    found = [f"{source.describe(rel)}: 条目记录中的附件不在附件清单中" for rel in sorted(named - set(listed))]
    for rel, expected in sorted(listed.items()):
        where = source.describe(rel)
        if safe_url(rel) is None:
            found.append(f"{where}: 附件路径无效")
            continue
        try:
            actual = "sha256:" + hashlib.sha256(source.read(rel, MAX_ATTACHMENT_BYTES)).hexdigest()
        except Missing as exc:
            found.append(f"{where}: 无法读取附件（{exc}）")
            continue
        if actual != expected:
            found.append(f"{where}: 附件内容与附件清单不符（{expected}，实际 {actual}）：附件在生成后被替换过")
    return found


_LINK = re.compile(r"<a\b[^>]*\bhref=\"([^\"#?]*)\"[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)


def list_problems(source, titles: dict[str, str], categories: set[str]) -> list[str]:
    """List pages (home, catalogue, category pages; in a folder every page that is not an
    item page): a link to an item page shows the title its record gives."""
    if isinstance(source, FolderSource):
        pages = sorted(p.relative_to(source.root).as_posix() for p in source.root.rglob("*.html"))
        pages = [p for p in pages if not p.startswith(("pagefind/", "i/"))]
        pages = [p for p in pages if p.removesuffix("index.html") not in titles]
    else:
        pages = ["index.html", "catalogue/index.html"] + [f"{key}/index.html" for key in sorted(categories)]
    found = []
    for rel in pages:
        try:
            text = source.read(rel, MAX_PAGE_BYTES).decode("utf-8", "replace")
        except Missing:
            continue
        base = posixpath.dirname(rel)
        for href, inner in _LINK.findall(text):
            if not href or re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/)", href):
                continue
            url = posixpath.normpath(posixpath.join(base, href)) + "/"
            title = titles.get(url)
            if title is not None and binding.visible(title) not in binding.visible(inner):
                shown = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
                found.append(f"{source.describe(rel)}: 指向 {url} 的链接显示“{shown[:60]}”，条目记录的标题为“{title}”")
    return found


def catalogue_problems(source, data: dict, titles: dict[str, str] | None = None) -> list[str]:
    """data/catalogue.json against the register: every record names a registered item,
    with the URL the register gives and the title its page's record gives."""
    rel = "data/catalogue.json"
    try:
        records = json.loads(source.read(rel, MAX_REGISTER_BYTES).decode("utf-8"))
    except Missing:
        return [f"{source.describe(rel)}: 无法读取信息公开目录数据"]
    except (UnicodeDecodeError, ValueError):
        return [f"{source.describe(rel)}: 不是有效的 JSON"]
    if not isinstance(records, list):
        return [f"{source.describe(rel)}: 应为记录列表"]
    latest = latest_links(data)
    site = str(data.get("site") or "")
    found = []
    for i, record in enumerate(records):
        number = record.get("index_no") if isinstance(record, dict) else None
        link = latest.get(number)
        if link is None:
            found.append(f"{source.describe(rel)}: 第 {i + 1} 条（{number}）不在发布登记中")
            continue
        if site and link.get("url") and record.get("url") != site + link["url"]:
            found.append(f"{source.describe(rel)}: {number} 的地址为 {record.get('url')}，登记为 {site + link['url']}")
        title = (titles or {}).get(link.get("url"))
        if title is not None and record.get("title") != title:
            found.append(f"{source.describe(rel)}: {number} 的标题为“{record.get('title')}”，条目记录的标题为“{title}”")
    return found


def stray_pages(source, data: dict) -> list[str]:
    """Item pages (pages with a record) that the register does not know (a folder only:
    a web server cannot be listed)."""
    if not isinstance(source, FolderSource):
        return []
    known = {page_file(safe_url(link.get("url")) or "") for link in latest_links(data).values()}
    found = []
    for path in sorted(source.root.rglob("*.html")):
        rel = path.relative_to(source.root).as_posix()
        if rel in known or rel.startswith(("pagefind/", "i/")):
            continue
        try:
            with path.open("rb") as handle:
                head = handle.read(MAX_PAGE_BYTES)
        except OSError:
            continue
        if f'id="{RECORD_ID}"'.encode() in head or BODY_START.encode() in head:
            found.append(f"{rel}: 条目页面不在发布登记中（多出来的页面）")
    return found


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    versions: int = 0
    pages: int = 0
    head: str = ""
    key: str = ""  # the signing key named, or that there is none
    added: int = 0  # entries added since the --extends head
    extends: str = ""  # the --extends head


def verify(source, workers: int = WORKERS, extends=None, key: str | None = None) -> Report:
    """Verify a source (and that it extends the source `extends`, when given); raises
    Unusable when there is no usable register."""
    data = read_register(source)
    report = Report(versions=len(data["entries"]), head=str(data.get("head", "")))
    report.problems += [f"{PUBLIC_PATH}: {p}" for p in verify_chain(data)]
    old_head = None
    if extends is not None:
        old = read_register(extends)
        old_head = read_head(extends)
        lost, report.added = consistency(old, data)
        report.problems += [f"{PUBLIC_PATH}: {p}（与 {extends.describe(PUBLIC_PATH)} 相比）" for p in lost]
        report.extends = str(old.get("head", ""))
    found, report.key = check_head(source, data, key, old_head)
    report.problems += found
    items = sorted(latest_links(data).items())
    site = str(data.get("site") or "")
    shells, files, titles = {}, set(), {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for page in pool.map(lambda pair: check_page(source, *pair, site=site), items):
            report.problems += page.problems
            files.update(page.files)
            if page.title is not None:
                titles[page.url] = page.title
            if page.skeleton is not None:
                shells[page.where] = (page.category, page.skeleton)
    report.problems += binding.shell_problems(shells)
    report.problems += attachment_problems(source, read_head(source), files)
    report.problems += catalogue_problems(source, data, titles)
    urls = [safe_url(link.get("url")) for link in latest_links(data).values()]
    categories = {url.split("/", 1)[0] for url in urls if url}
    report.problems += list_problems(source, titles, categories)
    report.problems += stray_pages(source, data)
    report.pages = len(items)
    return report


def main(
    target: str, timeout: float = TIMEOUT, workers: int = WORKERS, out=None, err=None,
    extends: str | None = None, key: str | None = None,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        source = open_source(target, timeout)
        report = verify(source, workers, open_source(extends, timeout) if extends else None, key)
    except Unusable as exc:
        print(f"gongkai verify: {exc}", file=err)
        return EXIT_USAGE
    for line in report.problems:
        print(line, file=out)
    if report.key:
        print(report.key, file=err)
    if report.problems:
        print(
            f"校验失败：{len(report.problems)} 处不符（{report.versions} 个登记版本，{report.pages} 个条目页面）",
            file=err,
        )
        return EXIT_MISMATCH
    if extends:
        kept = report.versions - report.added
        print(
            f"新的登记包含 {extends} 的全部 {kept} 条登记，未改动，新增 {report.added} 条（旧链头 {report.extends}）",
            file=out,
        )
    print(f"校验通过：{report.versions} 个登记版本，{report.pages} 个条目页面，链头 {report.head}", file=out)
    return EXIT_OK
