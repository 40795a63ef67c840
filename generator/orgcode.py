"""Check characters of Chinese organisation identifiers.

- 统一社会信用代码, GB 32100-2015: 18 characters from `0-9 A-H J-N P-R T U W-Y` (no I, O,
  Z, S, V); the last is a check character over the first 17 (weights 3^i mod 31).
- 组织机构代码, GB 11714-1997: 8 characters + check character (`0-9` or `X`).
"""

from __future__ import annotations

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def explain(code: str) -> str | None:
    """None when `code` is a valid USCC or organisation code, else what is wrong."""
    code = code.strip().upper()
    if len(code) == 18:
        bad = [c for c in code if c not in USCC_CHARS]
        if bad:
            return f"统一社会信用代码中不应出现字符“{bad[0]}”（不使用 I、O、Z、S、V）"
        expected = uscc_check_char(code[:17])
        if code[17] != expected:
            return f"统一社会信用代码校验位应为“{expected}”，而不是“{code[17]}”"
        return None
    if len(code) == 9:
        if not code[:8].isalnum() or not code[:8].isascii():
            return "组织机构代码前 8 位应为数字或大写字母"
        expected = org_check_char(code[:8])
        if code[8] != expected:
            return f"组织机构代码校验位应为“{expected}”，而不是“{code[8]}”"
        return None
    return f"长度为 {len(code)}：应为 18 位统一社会信用代码或 9 位组织机构代码"
