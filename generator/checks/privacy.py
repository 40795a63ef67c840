"""Privacy guard: personal data that must not be published by mistake.

Every string (and integer) of every published item is scanned, body included, for

- `privacy-id`: a 居民身份证号 — 18 characters (GB 11643) with a valid birth date and
  check digit (ISO 7064 MOD 11-2, `X` allowed), or the old 15 digits with a province
  code and a plausible birth date (19YYMMDD) — not part of a longer letter/digit string
  (a 统一社会信用代码 such as 11330100002482066D is not an ID number);
- `privacy-mobile`: a mainland mobile number `1[3-9]` + 9 digits, optionally after +86,
  not part of a longer digit run;
- `privacy-bank-card`: 16–19 digits passing the Luhn check, whole or in groups of four;
  runs that are valid ID numbers or 统一社会信用代码, decimals, or start with a date
  (timestamps, serial numbers) are not counted;
- `privacy-email`: a private person's mailbox: an address at a public webmail service
  (qq.com, 163.com, gmail.com … see `WEBMAIL`), and any address in the person fields of a
  type (`ContentType.persons`: an appointment's persons). Government mailboxes (`*.gov.cn`), the organisation's own addresses
  (`organization.email`, `feedback.email` of site_config.yml) and own domains (the host
  of `site.url` without `www.`, its registrable parent under gov.cn, `own_domains`;
  subdomains count) are not personal data;
- `privacy-birthdate`: a full birth date (YYYY-MM-DD, YYYY年M月D日, YYYY.MM.DD, YYYY/MM/DD,
  YYYY MM DD, YYYYMMDD): anywhere in a type's person fields (an appointment's
  `出生年月` is month only), and in any text right next to 出生 / 生于 / 出生日期.

Writing a number differently does not hide it: before matching, full-width digits and
letters (１３８, ＠) become ASCII, NBSP and other spaces become a space, zero-width
characters are dropped and HTML entities (`&#64;`) decoded; the digits of an ID number or
mobile may be split by spaces, a line break, hyphens or dots. Markdown (bodies, budget
notes, free pages) is also scanned as the reader sees it — rendered, tags and comments
removed — so `330102**19900307**1230` or a `<span>` inside a number is found too. A
path segment of a content file holding an ID number, mobile or card number (it becomes
the page's URL, and is in the sitemap, CSV and feeds) is an error at line 1.

Problems name the file, line and column of the match (for what only the rendered text
shows: the line of its paragraph), the field (English key and Chinese label) and show
the value masked (330102********1234).

An item lists in `allow_personal_data` the fields whose personal data is lawfully public
(dotted paths in English or Chinese: `persons.resume`, `公示对象.简历`, `body`); a path
covers everything below it. The ID numbers and full birth dates in person fields are
never allowed.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from bisect import bisect_right
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cmarkgfm.cmark import Options, markdown_to_html_with_extensions

from generator import orgcode
from generator.load.aliases import field_specs, key_table
from generator.model.validate import _labels
from generator.render.markdown import _EXTENSIONS, autolink

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry, Site

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PROVINCES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"]
)
# Public webmail services: an address there is a private person's (subdomains too: vip.qq.com).
WEBMAIL = frozenset(
    ["qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "188.com", "netease.com", "sina.com", "sina.cn", "sohu.com", "aliyun.com", "139.com", "189.cn", "wo.cn", "tom.com", "21cn.com", "263.net", "gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "live.cn", "msn.com", "yahoo.com", "yahoo.com.cn", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me"]
)

# ---------------------------------------------------------------- normalising

# Characters a reader does not see, spaces that are not U+0020, the full-width forms of
# digits, letters, @ + - . — and HTML entities. Only text holding one of them is rewritten.
_INVISIBLE = "\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff"
_SPACES = "\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPECIAL = re.compile(
    f"[{_INVISIBLE}]|[{_SPACES}]|[\uff0b\uff0d\uff0e\uff10-\uff19\uff20-\uff3a\uff41-\uff5a]"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
# The first characters of `_SPECIAL`, in one class the regex engine skips to (an
# alternation of classes is tried at every character): a text without one is left as it is.
_SPECIAL_FIRST = re.compile(f"[{_INVISIBLE}{_SPACES}\uff0b\uff0d\uff0e\uff10-\uff19\uff20-\uff3a\uff41-\uff5a&]")
_DROP = re.compile(f"[{_INVISIBLE}]")
_SPACE = re.compile(f"[{_SPACES}]")


def _plain(char: str) -> str:
    """One special character (or a decoded entity) as it is matched."""
    if _DROP.fullmatch(char):
        return ""
    if _SPACE.fullmatch(char):
        return " "
    if "\uff01" <= char <= "\uff5e":
        return chr(ord(char) - 0xFEE0)
    return char


def normalise(text: str) -> tuple[str, list[int] | None]:
    """The text as matched, and for each of its characters the offset of the character it
    came from in `text` (None when nothing changed, so offsets are the same)."""
    if not _SPECIAL_FIRST.search(text) or not _SPECIAL.search(text):
        return text, None
    out: list[str] = []
    where: list[int] = []
    at = 0
    for m in _SPECIAL.finditer(text):
        out.append(text[at : m.start()])
        where.extend(range(at, m.start()))
        piece = m.group()
        decoded = html.unescape(piece) if piece[0] == "&" else piece
        plain = "".join(_plain(c) for c in decoded)
        out.append(plain)
        where.extend([m.start()] * len(plain))
        at = m.end()
    out.append(text[at:])
    where.extend(range(at, len(text) + 1))  # one more: the end of the text
    return "".join(out), where


def _span(where: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """A span of the normalised text as a span of the original."""
    if where is None:
        return start, end
    return where[start], where[end - 1] + 1


# ---------------------------------------------------------------- detectors

# A chain of digit groups: split by spaces (or one line break), hyphens or dots; an ID
# number's X at its end.
# Each pattern `finditer` runs over a whole text starts with a character (class), which the
# regex engine skips to; what is not to be before the match is checked behind its first
# characters: `[0-9](?<![0-9][0-9])` is `(?<![0-9])[0-9]` (a pattern starting with a
# look-behind is tried at every character: ten times slower on a body).
_CHAIN = re.compile(
    r"[0-9](?<![0-9][0-9])(?=[0-9 \t\n.-]{10})"  # 11 characters at least: most numbers of a text fail here, fast
    r"[0-9]*(?:(?:[ \t]{1,3}|[ \t]*\n[ \t]*|-|\.)[0-9]+)*(?:[Xx](?![0-9A-Za-z]))?"
)
_GROUP = re.compile(r"[0-9]+[Xx]?")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*|[^\W\d_A-Za-z]{1,8})@"
    r"(?P<domain>(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"
    r"(?:xn--[A-Za-z0-9-]+|[A-Za-z]{2,24}(?![A-Za-z0-9-])|中国|中國|公司|网络|網絡|政务|公益|在线|集团|网址))"
)
_FULL_DATE = re.compile(
    r"(?P<y>(?:19|20)(?<![0-9]{3})[0-9]{2})(?:(?P<s>[-./]| {1,2})(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})"
    r"| ?年 ?(?P<m2>[0-9]{1,2}) ?月 ?(?P<d2>[0-9]{1,2}) ?日|(?P<m3>[01][0-9])(?P<d3>[0-3][0-9]))(?![0-9])"
)
_BIRTH_BEFORE = re.compile(r"(出生日期|出生年月日|生日|生于|出生于|出生)[：:\s为是]{0,2}\Z")
_BIRTH_AFTER = re.compile(r"\A\s*(?:出生|生(?=[，,。；;、）)\s]|\Z))")
_CANDIDATE = re.compile(r"[0-9０-９]|[@＠]|&#")  # every pattern needs one of these (before normalising)

RESUME_FIELDS = {"resume"}  # career dates are fine there; only a birth date is not
PATH_CODES = ("privacy-id", "privacy-mobile", "privacy-bank-card")  # what a file name must not hold

MESSAGES = {
    "privacy-id": "居民身份证号",
    "privacy-mobile": "手机号码",
    "privacy-bank-card": "银行卡号",
    "privacy-email": "个人电子邮箱",
    "privacy-birthdate": "完整的出生日期",
}


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def is_id_number(text: str) -> bool:
    """An 18-character 居民身份证号 with a real birth date and a valid check digit, or a
    15-digit one (issued until 1999: no check digit) with a province code and a
    plausible birth date."""
    if not text[:17].isdigit() or not text[:17].isascii():
        return False
    if len(text) == 15:
        year, month, day = 1900 + int(text[6:8]), int(text[8:10]), int(text[10:12])
        return text.isdigit() and text[:2] in PROVINCES and year >= 1920 and _valid_date(year, month, day)
    if len(text) != 18:
        return False
    year, month, day = int(text[6:10]), int(text[10:12]), int(text[12:14])
    if not (1900 <= year <= dt.date.today().year and _valid_date(year, month, day)):
        return False
    return id_check_digit(text[:17]) == text[17].upper()


def is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _starts_with_date(digits: str) -> bool:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    return 1900 <= year <= 2099 and _valid_date(year, month, day)


def is_bank_card(digits: str) -> bool:
    if not (16 <= len(digits) <= 19 and digits.isdigit() and luhn(digits)) or _starts_with_date(digits):
        return False
    return not (len(digits) == 18 and orgcode.explain(digits) is None)  # an all-digit 统一社会信用代码


def _digits(value: str) -> str:
    return re.sub(r"[^0-9Xx]", "", normalise(value)[0]).upper()


def mask(code: str, value: str) -> str:
    if code == "privacy-id":
        digits = _digits(value)
        return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]
    if code == "privacy-mobile":
        digits = _digits(value)[-11:]
        return digits[:3] + "****" + digits[-4:]
    if code == "privacy-bank-card":
        digits = _digits(value)
        return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
    if code == "privacy-email":
        local, _, domain = normalise(value)[0].partition("@")
        return local[:1] + "***@" + domain
    if code == "privacy-birthdate":
        match = _FULL_DATE.match(normalise(value)[0])
        return (match["y"] if match else value[:4]) + ("年**月**日" if "年" in value else "-**-**")
    return value


def canonical(code: str, value: str) -> str:
    """What makes two findings the same piece of data, however each was written."""
    if code == "privacy-email":
        return normalise(value)[0].lower()
    if code == "privacy-birthdate":
        numbers = re.findall(r"[0-9]+", normalise(value)[0])
        return "-".join(str(int(n)) for n in numbers) if "年" in value else _digits(value)
    digits = _digits(value)
    return digits[-11:] if code == "privacy-mobile" else digits


def own_domains(site) -> tuple[str, ...]:
    """The domains (and, with an @, the exact addresses) that are the organisation's own."""
    host = (urlsplit(site.config.site.url).hostname or "").lower().removeprefix("www.")
    found = [host]
    labels = host.split(".")
    if host.endswith(".gov.cn") and len(labels) > 3:
        found.append(".".join(labels[-3:]))  # sfj.hangzhou.gov.cn → hangzhou.gov.cn
    found += [d.strip().lower().removeprefix("www.").lstrip(".") for d in site.config.own_domains]
    channels = (site.config.organization, site.config.feedback)
    for address in (c.email for c in channels if c is not None and c.email):
        address = normalise(address.strip())[0].lower()
        domain = address.rpartition("@")[2]
        found.append(address)
        if domain and not _under(domain, WEBMAIL):  # a webmail box of the office: that address only
            found.append(domain)
    return tuple(dict.fromkeys(d for d in found if d))


def _under(domain: str, domains) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains if "@" not in d)


def _is_own(address: str, own: tuple[str, ...]) -> bool:
    address = address.lower().rstrip(".")
    return address in own or _under(address.rpartition("@")[2], own)


def _email_is_personal(address: str, own: tuple[str, ...], person: bool) -> bool:
    if _is_own(address, own):
        return False
    domain = address.lower().rpartition("@")[2]
    return person or _under(domain, WEBMAIL)


def _numbers(text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """(code, start, end) of ID, bank card and mobile numbers in one chain of digit groups
    text[start:end]. A number is one group or several consecutive groups with the same
    kind of separator; at most 19 digits, so this is linear in the chain."""
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(text, start, end)]
    if not _some_size([b - a for a, b in groups]):
        return  # no run of groups as long as any number (a landline, a date and a serial …)
    kinds = [_kind(text[a:b]) for (_, a), (b, _) in zip(groups, groups[1:])]  # separator i: after group i
    taken = [False] * len(groups)
    found = []
    for code, sizes in _SIZES:
        for i in range(len(groups)):
            size = 0
            for j in range(i, len(groups)):
                size += groups[j][1] - groups[j][0]
                if size > 19 or any(taken[i : j + 1]):
                    break
                if j > i and kinds[j - 1] != kinds[i]:
                    break
                if size not in sizes:
                    continue
                digits = "".join(text[a:b] for a, b in groups[i : j + 1]).upper()
                if _is(code, digits, text, groups[i:j + 1], kinds[i] if j > i else "", (i, j), kinds):
                    taken[i : j + 1] = [True] * (j + 1 - i)
                    found.append((code, groups[i][0], groups[j][1]))
                    break
    yield from sorted(found, key=lambda f: f[1])


_SIZES = (  # the longer first; characters of each
    ("privacy-id", {15, 18}),
    ("privacy-bank-card", {16, 17, 18, 19}),
    ("privacy-mobile", {11, 13}),  # 13: 8613812345678
)
_ALL_SIZES = frozenset().union(*(sizes for _, sizes in _SIZES))


def _some_size(lengths: list[int]) -> bool:
    """Whether some run of consecutive groups (of these lengths) has the length of a number."""
    for i in range(len(lengths)):
        size = 0
        for length in lengths[i:]:
            size += length
            if size in _ALL_SIZES:
                return True
            if size > 19:
                break
    return False


def _kind(separator: str) -> str:
    return " " if not separator.strip() else separator


def _is(code: str, digits: str, text: str, groups: list, kind: str, ij: tuple[int, int], kinds: list) -> bool:
    """Whether `digits` (groups of a chain split by separators of one kind) is a `code`."""
    start, end = groups[0][0], groups[-1][1]
    letter_around = (start and text[start - 1].isascii() and text[start - 1].isalpha()) or (
        end < len(text) and text[end].isascii() and text[end].isalnum()
    )
    i, j = ij
    decimal = (  # 1234567890123456.78, 0.4111111111111111, 1,4111111111111111
        (i and kinds[i - 1] == ".")
        or (j < len(kinds) and kinds[j] == ".")
        or (start >= 2 and text[start - 1] == "," and text[start - 2].isdigit())
        or (text[end : end + 1] == "," and text[end + 1 : end + 2].isdigit())
    )
    sizes = [b - a for a, b in groups]
    if code == "privacy-id":
        return not letter_around and not (decimal and kind != ".") and is_id_number(digits)
    if "X" in digits:
        return False
    if code == "privacy-bank-card":
        if letter_around or decimal or not is_bank_card(digits):
            return False
        return len(groups) == 1 or (kind in " -" and all(s == 4 for s in sizes[:-1]) and sizes[-1] <= 4)
    if digits[:2] == "86" and len(digits) == 13 and len(groups) == 1:
        digits = digits[2:]  # +8613812345678
    if not is_mobile(digits) or (decimal and kind != "."):
        return False
    return len(groups) == 1 or kind == " " or sizes == [3, 4, 4]  # hyphens and dots only as 138-1234-5678


def find(text: str, own: tuple[str, ...], person: bool = False, resume: bool = False) -> Iterator[tuple[str, int, str]]:
    """(code, offset, matched text) for each piece of personal data in `text` (offsets and
    matched text are those of `text` as written)."""
    if not _CANDIDATE.search(text):
        return
    norm, where = normalise(text)
    taken: list[tuple[int, int]] = []

    def hit(code: str, start: int, end: int) -> tuple[str, int, str]:
        a, b = _span(where, start, end)
        return code, a, text[a:b]

    for chain in _CHAIN.finditer(norm):
        if chain.end() - chain.start() < 11:
            continue  # fewer than 11 digits: nothing to find (most numbers of a text)
        for code, start, end in _numbers(norm, chain.start(), chain.end()):
            taken.append((start, end))
            yield hit(code, start, end)
    if "@" in norm:
        for m in _EMAIL.finditer(norm):
            if _email_is_personal(m.group(), own, person):
                yield hit("privacy-email", m.start(), m.end())
    for m in _FULL_DATE.finditer(norm):
        month, day = int(m["m"] or m["m2"] or m["m3"]), int(m["d"] or m["d2"] or m["d3"])
        if not _valid_date(int(m["y"]), month, day) or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        before, after = norm[max(0, m.start() - 8) : m.start()], norm[m.end() : m.end() + 3]
        if _BIRTH_BEFORE.search(before) or _BIRTH_AFTER.match(after) or (person and not resume):
            yield hit("privacy-birthdate", m.start(), m.end())


# ---------------------------------------------------------------- rendered Markdown

_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_SOURCEPOS  # as render/markdown.py, plus source lines
_MARKUP = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<(/?)([A-Za-z][A-Za-z0-9-]*)([^>]*)>", re.S | re.I)
_SOURCEPOS = re.compile(r'data-sourcepos="(\d+):')
_BLOCKS = frozenset(
    ["address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"]
)
_HAS_MARKUP = re.compile(r"[*_<&`\\~\[]")
_DIGIT_MARKUP = re.compile(  # markup touching a digit: a digit, then markup, or markup, then a digit
    r"[0-9０-９*_>;`\\~\]](?:(?<=[0-9０-９])[*_<&`\\~\[\]]|(?<=[*_>;`\\~\]])[0-9０-９])"
)


def rendered_text(markdown: str) -> tuple[str, list[int], list[int]] | None:
    """The text a reader sees of a Markdown text: rendered, comments, scripts and tags
    removed (inline tags join their text, blocks are kept apart), entities left for
    `normalise`. Returns (text, starts, lines): piece k of the text starts at starts[k]
    and at source line lines[k] (of `markdown`, from 1). None when no markup touches a
    digit (nor an e-mail address): the source scan sees what the reader sees."""
    if not (_DIGIT_MARKUP.search(markdown) or (("@" in markdown or "＠" in markdown) and _HAS_MARKUP.search(markdown))):
        return None
    page = markdown_to_html_with_extensions(autolink(markdown), options=_OPTIONS, extensions=_EXTENSIONS)
    out: list[str] = []
    starts: list[int] = []
    lines: list[int] = []
    size, line = 0, 1
    at = 0
    for m in _MARKUP.finditer(page):
        piece = page[at : m.start()]
        at = m.end()
        if piece:
            out.append(piece)
            starts.append(size)
            lines.append(line)
            size += len(piece)
            line += piece.count("\n")
        name = (m.group(3) or "").lower()
        source = _SOURCEPOS.search(m.group(4) or "")
        if source:
            line = int(source.group(1))
        if name == "br" or name in _BLOCKS:
            gap = "\n" if name == "br" else "\n\n"  # a line break may split a number; a block may not
            out.append(gap)
            starts.append(size)
            lines.append(line)
            size += len(gap)
    out.append(page[at:])
    starts.append(size)
    lines.append(line)
    return "".join(out), starts, lines


def _rendered_findings(markdown: str, own: tuple[str, ...]) -> Iterator[tuple[str, int, str]]:
    """(code, source line from 1, matched text) of what only the rendered text shows:
    each line is that of the paragraph (or the line within it)."""
    rendered = rendered_text(markdown)
    if rendered is None:
        return
    text, starts, lines = rendered
    for code, offset, matched in find(text, own):
        k = bisect_right(starts, offset) - 1
        yield code, lines[k] + text.count("\n", starts[k], offset), matched


def _scan_markdown(markdown: str, own: tuple[str, ...]) -> Iterator[tuple[str, int | None, int, str]]:
    """The source scan (offset into `markdown`), then what the rendered text adds (its
    line): (code, offset or None, line or 0, matched)."""
    seen = set()
    for code, offset, matched in find(markdown, own):
        seen.add((code, canonical(code, matched)))
        yield code, offset, 0, matched
    for code, line, matched in _rendered_findings(markdown, own):
        key = (code, canonical(code, matched))
        if key not in seen:
            seen.add(key)
            yield code, None, line, matched


# ---------------------------------------------------------------- the check


_NEVER_TEXT = frozenset([type(None), bool, float, Decimal, dt.date, dt.datetime])  # not scanned (amounts …)


def _leaves(data, search=None, searches: dict | None = None) -> list[tuple[tuple, str]]:
    """Every text (and whole number) of a file's data with its path, in order. With
    `search` (a compiled pattern's `search`), only the texts it finds something in; under
    a top-level key of `searches`, that key's search instead. One call per dict or list,
    none per text (a call per text was a third of the check at 10,000 files)."""
    found: list[tuple[tuple, str]] = []
    searches = searches or {}

    def leaf(value, at: tuple, keep) -> None:  # what is not a plain str, dict or list
        if isinstance(value, dict):
            walk(value.items(), at, keep)
        elif isinstance(value, list):
            walk(enumerate(value), at, keep)
        elif isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            text = value if isinstance(value, str) else str(value)
            if keep is None or keep(text):
                found.append((at, text))

    def walk(pairs, at: tuple, keep) -> None:
        top = not at and searches
        for key, item in pairs:
            if top:
                keep = searches.get(key, search)
            kind = type(item)
            if kind is str:  # the common case first, without a call
                if keep is None or keep(item):
                    found.append((at + (key,), item))
            elif kind is dict:
                walk(item.items(), at + (key,), keep)
            elif kind is list:
                walk(enumerate(item), at + (key,), keep)
            elif kind is int:
                if keep is None or keep(str(item)):
                    found.append((at + (key,), str(item)))
            elif kind not in _NEVER_TEXT:
                leaf(item, at + (key,), keep)

    leaf(data, (), search)
    return found


# What a text must hold, as written, for `find` or the rendered scan to report anything in
# it: a chain of 11 digits and separators (an ID, mobile or card number), an @, a
# character `normalise` rewrites (a full-width digit, an `&` of an entity …), a date next
# to 生 (a birth date outside a person field: `_BIRTH_BEFORE`, `_BIRTH_AFTER`), in a
# person field any full date, and in Markdown markup touching a digit (what only the
# rendered text shows: `rendered_text`). Most texts hold none, and are never scanned.
# Each screen starts with one character class, which the regex engine skips to without
# trying the rest at every character; what follows the character is checked behind it.
_ALWAYS = f"@&{_INVISIBLE}{_SPACES}\uff0b\uff0d\uff0e\uff10-\uff19\uff20-\uff3a\uff41-\uff5a"
_AT_DIGIT = (
    r"(?<=[0-9])(?:(?<![0-9][0-9])(?=(?:[ \t\n.-]*[0-9]){10})"  # a group starting 11 digits of a chain (`_CHAIN`)
    # but not a group of 12 or 14+ digits before a letter (11330100002482066D of an index number): a
    # number of that group alone is no ID or card (a letter next to it) nor mobile (11 digits, 13 with
    # 86); a number from an earlier group on is found where that group starts
    r"(?!(?:[0-9]{11}|[0-9]{13,})(?:[A-WYZa-wyz]|[Xx][0-9A-Za-z]))"
    r"|(?=[\s日]*出?生))"  # the end of a date, 生 after it
)
_AT_BIRTH = r"(?<=生)(?=(?:日期|年月日|日|于)?[：:\s为是]{0,2}(?:19|20))"  # 出生 / 生于 …, a year after it
_MARKUP_FIRST = r"*_>;`\\~\]"  # markup before a digit, or after one:
_AT_MARKUP = rf"(?<=[0-9])(?=[*_<&`\\~\[\]])|(?<=[{_MARKUP_FIRST}])(?=[0-9\uff10-\uff19])"


@lru_cache(maxsize=16)
def _screens(also: tuple[str, ...]) -> tuple:
    """(plain, Markdown, person) screens, each also finding the strings `also`."""
    firsts = "".join(re.escape(a[0]) for a in also)
    tails = "".join(f"|(?<={re.escape(a[0])})(?={re.escape(a[1:])})" for a in also)
    plain = re.compile(rf"[{_ALWAYS}0-9生{firsts}](?:(?<=[{_ALWAYS}])|{_AT_DIGIT}|{_AT_BIRTH}{tails})")
    markdown = re.compile(  # as `plain`, and `_DIGIT_MARKUP`
        rf"[{_ALWAYS}0-9生{_MARKUP_FIRST}{firsts}](?:(?<=[{_ALWAYS}])|{_AT_DIGIT}|{_AT_BIRTH}|{_AT_MARKUP}{tails})"
    )
    person = re.compile(f"{markdown.pattern}|{_FULL_DATE.pattern}")  # any full date, in a person field
    return plain, markdown, person


def texts(entry: Entry, also: tuple[str, ...] = ()) -> list[tuple[tuple, str]]:
    """The texts of an entry's data, with their paths and in order, that may hold personal
    data (all others surely hold none), and those holding one of the strings `also`: one
    walk for several checks."""
    plain, markdown, person = _screens(also)
    searches = {path[0]: markdown.search for path in entry.ctype.markdown_paths}
    searches.update((key, person.search) for key in entry.ctype.persons)
    return _leaves(entry.doc.data, plain.search, searches)


def allowed_paths(entry: Entry) -> tuple[set[tuple], list[tuple[int, str]]]:
    """The field paths of `allow_personal_data` (English names), and the entries that name
    no field: [(index, text)]."""
    model = entry.ctype.model
    found, unknown = set(), []
    for i, text in enumerate(entry.model.allow_personal_data):
        path = _resolve(model, text)
        if path is None:
            unknown.append((i, text))
        else:
            found.add(path)
    return found, unknown


@lru_cache(maxsize=1024)
def _resolve(model, text: str) -> tuple | None:
    parts = [p.strip() for p in re.split(r"[.．。›>/]", text.strip()) if p.strip()]
    path, current = [], model
    for part in parts:
        if current is None:
            return None
        name = key_table(current).get(part)
        if name is None:
            return None
        path.append(name)
        current = field_specs(current)[name].model
    return tuple(path) or None


def _covered(path: tuple, allowed: set[tuple]) -> bool:
    names = tuple(p for p in path if not isinstance(p, int))
    return any(names[: len(a)] == a for a in allowed)


def _field_name(entry: Entry, path: tuple) -> str:
    return _labels(entry.ctype.model, path)


class _Locator:
    """File positions of matches inside a value: the value's own position, then the text."""

    def __init__(self, entry: Entry):
        self.entry = entry
        self._text: str | None = None
        self._starts: list[int] = []

    def _file(self) -> tuple[str, list[int]]:
        if self._text is None:
            from generator.load.documents import read_text

            try:
                text = read_text(self.entry.doc.path)[0]
            except Exception:  # the file was read once already; be safe anyway
                text = ""
            self._text = text
            starts, at = [0], 0
            for line in text.split("\n"):
                at += len(line) + 1
                starts.append(at)
            self._starts = starts
        return self._text, self._starts

    def at(self, path: tuple, value: str, offset: int, matched: str) -> tuple[int, int]:
        doc = self.entry.doc
        if path == ("body",) and doc.body is not None and ("body",) not in doc.positions:
            before = doc.body[:offset]
            return doc.body_line + before.count("\n"), offset - (before.rfind("\n") + 1) + 1
        line, col = doc.pos(path)
        matched = matched.split("\n")[0]  # a number split over two lines: where it starts
        text, starts = self._file()
        if not text or not matched or line < 1 or line > len(starts) - 1:
            return line, col
        nth = value[:offset].count(matched)
        later = [p[0] for p in doc.positions.values() if p[0] > line]
        stop = starts[min(min(later), len(starts) - 1) - 1] if later else len(text)
        at = starts[line - 1] + col - 1
        for k in range(nth + 1):  # the nth occurrence within the value is the nth after its start
            at = text.find(matched, at if k == 0 else at + 1, stop)
            if at < 0:
                return line, col
        number = text.count("\n", 0, at)
        return number + 1, at - starts[number] + 1

    def line(self, path: tuple, value: str, line: int) -> tuple[int, int]:
        """The position of line `line` (from 1) of a Markdown value: where its text starts."""
        source_lines = value.split("\n")
        text = source_lines[min(line, len(source_lines)) - 1]
        offset = sum(len(s) + 1 for s in source_lines[: min(line, len(source_lines)) - 1])
        stripped = text.lstrip()
        return self.at(path, value, offset + len(text) - len(stripped), stripped)


def check(entry: Entry, ctx: Context, leaves: list[tuple[tuple, str]] | None = None) -> None:
    """Report personal data in a published item (see the module notes). `leaves`: its
    `texts`, when the caller has them already."""
    if entry.is_draft or entry.doc is None:
        return
    own = _own_cache(ctx)
    check_path(entry.rel, ctx.problems)
    allowed, unknown = allowed_paths(entry)
    for i, text in unknown:
        ctx.error(
            entry, ("allow_personal_data", i), "privacy-allow",
            f"allow_personal_data 中的“{text}”不是本类条目的字段",
            "写字段路径，如 persons.resume 或 公示对象.简历；正文写 body",
        )  # fmt: skip
    locator = _Locator(entry)
    persons = entry.ctype.persons  # the type's fields that describe natural persons
    markdown = entry.ctype.markdown_paths
    for path, value in texts(entry) if leaves is None else leaves:
        if path[:1] == ("allow_personal_data",):
            continue
        person = bool(path) and path[0] in persons
        resume = person and path[-1] in RESUME_FIELDS
        if path in markdown:  # shown rendered: scanned as the reader sees it too
            found = _scan_markdown(value, own)
        else:
            found = ((code, offset, 0, matched) for code, offset, matched in find(value, own, person, resume))
        for code, offset, line, matched in found:
            strict = person and code in ("privacy-id", "privacy-birthdate")
            if not strict and _covered(path, allowed):
                continue
            where = locator.at(path, value, offset, matched) if offset is not None else locator.line(path, value, line)
            name = _field_name(entry, path)
            hint = "删除或改为遮盖形式；依法应当公开的，在 allow_personal_data 中列出该字段"
            if strict:
                hint = "任前公示只公开出生年月（YYYY-MM），不得公开身份证号或完整出生日期"
            elif code == "privacy-email" and person:
                hint = "公示对象的个人邮箱不得公开；反映问题的邮箱写在 feedback（反映渠道）中"
            elif code == "privacy-email":
                hint = "个人邮箱（QQ、163 等公共邮箱）不得公开，改用本机关的公务邮箱；确属本机关使用的，加入 site_config.yml 的 own_domains"
            ctx.problems.error(entry.rel, where, code, f"{name}中有{MESSAGES[code]} {mask(code, matched)}", hint)


def _own_cache(ctx: Context) -> tuple[str, ...]:
    cached = getattr(ctx, "_own_domains", None)
    if cached is None:
        cached = own_domains(ctx.site)
        ctx._own_domains = cached  # type: ignore[attr-defined]
    return cached


def check_path(rel: str, problems) -> None:
    """A content file's path becomes its URL (and is in the sitemap, CSV and feeds): no
    ID number, mobile or card number in it."""
    if not _screens(())[0].search(rel):
        return  # no chain of 11 digits, nothing normalising would change: nothing to find
    for code, _, matched in find(rel, ()):
        if code in PATH_CODES:
            problems.error(
                rel, (1, 1), code, f"文件名（路径）中有{MESSAGES[code]} {mask(code, matched)}",
                "文件名会成为网页地址，出现在站点地图、目录和订阅中；请改用不含个人信息的文件名",
            )  # fmt: skip


def _front_matter_lines(source: str) -> int:
    """How many lines of a free page come before its Markdown body."""
    lines = source.split("\n")
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], start=2):
            if line.strip() == "---":
                return number
    return 0


def check_pages(site: Site, problems) -> None:
    """Free pages (content/pages/) are published too: the same scan over their text (as
    written and as rendered), and their file names."""
    own = own_domains(site)
    hint = "删除或改为遮盖形式；公开本机关的办公电话、公务邮箱不受影响"
    for page in site.pages:
        check_path(page.rel, problems)
        source = page.source
        skip = _front_matter_lines(source)
        body = "\n".join(source.split("\n")[skip:])
        seen = set()
        for code, offset, matched in find(source, own):
            seen.add((code, canonical(code, matched)))
            number = source.count("\n", 0, offset)
            col = offset - (source.rfind("\n", 0, offset) + 1) + 1
            problems.error(page.rel, (number + 1, col), code, f"页面中有{MESSAGES[code]} {mask(code, matched)}", hint)
        for code, line, matched in _rendered_findings(body, own):
            if (code, canonical(code, matched)) not in seen:
                seen.add((code, canonical(code, matched)))
                problems.error(page.rel, (skip + line, 1), code, f"页面中有{MESSAGES[code]} {mask(code, matched)}", hint)
