"""Privacy guard: personal data that must not be published by mistake.

Every string (and integer) of every published item is scanned, body included, for

- `privacy-id`: an 18-character 居民身份证号 (GB 11643) with a valid birth date and check
  digit (ISO 7064 MOD 11-2, `X` allowed), not part of a longer letter/digit string (a
  统一社会信用代码 such as 11330100002482066D is not an ID number);
- `privacy-mobile`: a mainland mobile number `1[3-9]` + 9 digits, also written
  138-1234-5678 or 138 1234 5678, optionally after +86, not part of a longer digit run;
- `privacy-bank-card`: a run of exactly 16–19 digits passing the Luhn check; runs that
  are valid ID numbers or 统一社会信用代码, decimals, or start with a date (timestamps,
  serial numbers) are not counted;
- `privacy-email`: an e-mail address outside the site's own domains (the host of
  `site.url` without `www.`, plus `own_domains` of site_config.yml; subdomains count as
  own; `own_domains: [gov.cn]` accepts every government mailbox);
- `privacy-birthdate`: a full birth date (YYYY-MM-DD, YYYY年M月D日, YYYY.MM.DD, YYYY/MM/DD):
  anywhere in the fields of an appointment's persons (`出生年月` is month only), and
  in any text right next to 出生 / 生于 / 出生日期.

Problems name the file, line and column of the match, the field (English key and
Chinese label) and show the value masked (330102********1234).

An item lists in `allow_personal_data` the fields whose personal data is lawfully public
(dotted paths in English or Chinese: `persons.resume`, `公示对象.简历`, `body`); a path
covers everything below it. The ID numbers and full birth dates of an appointment's
persons are never allowed.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator
from urllib.parse import urlsplit

from generator import orgcode
from generator.load.aliases import field_specs, key_table
from generator.model.validate import _labels

if TYPE_CHECKING:
    from generator.checks.context import Context
    from generator.site import Entry, Site

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

_ID = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9][0-9])([ -]?)([0-9]{4})\2([0-9]{4})(?![0-9])")
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][.,])[0-9]{16,19}(?![0-9A-Za-z])(?![.,][0-9])")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]*)@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})")
_FULL_DATE = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})(?:(?P<s>[-./])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})(?![0-9])|年(?P<m2>[0-9]{1,2})月(?P<d2>[0-9]{1,2})日)"
)
_BIRTH_BEFORE = re.compile(r"(出生日期|出生年月日|生日|生于|出生于|出生)[：:\s为是]{0,2}\Z")
_BIRTH_AFTER = re.compile(r"\A\s*(?:出生|生(?=[，,。；;、）)\s]|\Z))")

PERSON_FIELDS = ("persons",)  # appointment: fields that describe a person
RESUME_FIELDS = {"resume"}  # career dates are fine there; only a birth date is not

MESSAGES = {
    "privacy-id": "居民身份证号",
    "privacy-mobile": "手机号码",
    "privacy-bank-card": "银行卡号",
    "privacy-email": "外部电子邮箱",
    "privacy-birthdate": "完整的出生日期",
}


# ---------------------------------------------------------------- detectors


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def is_id_number(text: str) -> bool:
    """An 18-character 居民身份证号 with a real birth date and a valid check digit."""
    if len(text) != 18 or not text[:17].isdigit() or not text[:17].isascii():
        return False
    year, month, day = int(text[6:10]), int(text[10:12]), int(text[12:14])
    if not (1900 <= year <= dt.date.today().year and _valid_date(year, month, day)):
        return False
    return id_check_digit(text[:17]) == text[17].upper()


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


def mask(code: str, value: str) -> str:
    if code == "privacy-id":
        return value[:6] + "*" * 8 + value[-4:]
    if code == "privacy-mobile":
        digits = re.sub(r"[^0-9]", "", value)[-11:]
        return digits[:3] + "****" + digits[-4:]
    if code == "privacy-bank-card":
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    if code == "privacy-email":
        local, _, domain = value.partition("@")
        return local[:1] + "***@" + domain
    if code == "privacy-birthdate":
        match = _FULL_DATE.match(value)
        return (match["y"] if match else value[:4]) + ("年**月**日" if "年" in value else "-**-**")
    return value


def own_domains(site) -> tuple[str, ...]:
    host = (urlsplit(site.config.site.url).hostname or "").lower()
    domains = [host.removeprefix("www.")] if host else []
    domains += [d.strip().lower().removeprefix("www.").lstrip(".") for d in site.config.own_domains]
    return tuple(d for d in domains if d)


def _is_own(domain: str, own: tuple[str, ...]) -> bool:
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in own)


_CANDIDATE = re.compile(r"\d{4}|@")  # every pattern below needs one of these


def find(text: str, own: tuple[str, ...], person: bool = False, resume: bool = False) -> Iterator[tuple[str, int, str]]:
    """(code, offset, matched text) for each piece of personal data in `text`."""
    if not _CANDIDATE.search(text):
        return
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for m in _ID.finditer(text):
        if is_id_number(m.group()):
            taken.append(m.span())
            yield "privacy-id", m.start(), m.group()
    for m in _DIGIT_RUN.finditer(text):
        digits = m.group()
        if not free(*m.span()) or not luhn(digits) or _starts_with_date(digits):
            continue
        if len(digits) == 18 and orgcode.explain(digits) is None:
            continue  # an all-digit 统一社会信用代码
        taken.append(m.span())
        yield "privacy-bank-card", m.start(), digits
    for m in _MOBILE.finditer(text):
        if free(*m.span()):
            taken.append(m.span())
            yield "privacy-mobile", m.start(), m.group()
    if "@" in text:
        for m in _EMAIL.finditer(text):
            if not _is_own(m.group(2), own):
                yield "privacy-email", m.start(), m.group()
    for m in _FULL_DATE.finditer(text):
        month, day = int(m["m"] or m["m2"]), int(m["d"] or m["d2"])
        if not _valid_date(int(m["y"]), month, day) or not free(*m.span()):
            continue
        context = bool(_BIRTH_BEFORE.search(text[max(0, m.start() - 8) : m.start()]) or _BIRTH_AFTER.match(text[m.end() : m.end() + 3]))
        if context or (person and not resume):
            yield "privacy-birthdate", m.start(), m.group()


# ---------------------------------------------------------------- the check


def _leaves(data, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, path + (i,))
    elif isinstance(data, str):
        yield path, data
    elif isinstance(data, int) and not isinstance(data, bool):
        yield path, str(data)


def allowed_paths(entry: "Entry") -> tuple[set[tuple], list[tuple[int, str]]]:
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


def _field_name(entry: "Entry", path: tuple) -> str:
    return _labels(entry.ctype.model, path)


class _Locator:
    """File positions of matches inside a value: the value's own position, then the text."""

    def __init__(self, entry: "Entry"):
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
        text, starts = self._file()
        if not text or line < 1 or line > len(starts) - 1:
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


def check(entry: "Entry", ctx: "Context") -> None:
    """Report personal data in a published item (see the module notes)."""
    if entry.is_draft or entry.doc is None:
        return
    own = _own_cache(ctx)
    allowed, unknown = allowed_paths(entry)
    for i, text in unknown:
        ctx.error(
            entry, ("allow_personal_data", i), "privacy-allow",
            f"allow_personal_data 中的“{text}”不是本类条目的字段",
            "写字段路径，如 persons.resume 或 公示对象.简历；正文写 body",
        )  # fmt: skip
    data = entry.doc.data
    locator = _Locator(entry)
    is_appointment = entry.type == "appointment"
    for path, value in _leaves(data):
        if path[:1] == ("allow_personal_data",):
            continue
        person = is_appointment and path[:1] == PERSON_FIELDS
        resume = person and path[-1] in RESUME_FIELDS
        for code, offset, matched in find(value, own, person, resume):
            strict = person and code in ("privacy-id", "privacy-birthdate")
            if not strict and _covered(path, allowed):
                continue
            line, col = locator.at(path, value, offset, matched)
            name = _field_name(entry, path)
            hint = "删除或改为遮盖形式；依法应当公开的，在 allow_personal_data 中列出该字段"
            if strict:
                hint = "任前公示只公开出生年月（YYYY-MM），不得公开身份证号或完整出生日期"
            elif code == "privacy-email":
                hint = "改用本机关的公务邮箱；确属本机关的域名，加入 site_config.yml 的 own_domains"
            ctx.problems.error(entry.rel, (line, col), code, f"{name}中有{MESSAGES[code]} {mask(code, matched)}", hint)


def _own_cache(ctx: "Context") -> tuple[str, ...]:
    cached = getattr(ctx, "_own_domains", None)
    if cached is None:
        cached = own_domains(ctx.site)
        ctx._own_domains = cached  # type: ignore[attr-defined]
    return cached


def check_pages(site: "Site", problems) -> None:
    """Free pages (content/pages/) are published too: the same scan over their text."""
    own = own_domains(site)
    for page in site.pages:
        lines = page.source.split("\n")
        for number, line in enumerate(lines, start=1):
            for code, offset, matched in find(line, own):
                problems.error(
                    page.rel, (number, offset + 1), code,
                    f"页面中有{MESSAGES[code]} {mask(code, matched)}",
                    "删除或改为遮盖形式；公开本机关的办公电话、公务邮箱不受影响",
                )  # fmt: skip
