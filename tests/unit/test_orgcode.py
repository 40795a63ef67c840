"""Check characters of 统一社会信用代码 (GB 32100-2015) and 组织机构代码 (GB 11714-1997)."""

from __future__ import annotations

import pytest

from generator import orgcode

USCC = ["11330100002482066D", "11441700007280420Y"]
ORG_CODES = ["000014349", "014416330"]


@pytest.mark.parametrize("code", USCC + ORG_CODES)
def test_real_codes_are_valid(code):
    assert orgcode.explain(code) is None


@pytest.mark.parametrize("code", USCC + ORG_CODES)
def test_lowercase_and_spaces_are_accepted(code):
    assert orgcode.explain(f" {code.lower()} ") is None


@pytest.mark.parametrize("code", USCC)
def test_uscc_check_character(code):
    assert orgcode.uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", ORG_CODES)
def test_org_check_character(code):
    assert orgcode.org_check_char(code[:8]) == code[8]


def test_org_check_character_x_and_0():
    # the check value 10 is written X, 11 is written 0
    found = {orgcode.org_check_char(f"{n:08d}") for n in range(200)}
    assert "X" in found and "0" in found
    for n in range(200):
        base = f"{n:08d}"
        char = orgcode.org_check_char(base)
        assert orgcode.explain(base + char) is None


@pytest.mark.parametrize("code", USCC + ORG_CODES)
def test_changed_last_character_is_invalid(code):
    alphabet = orgcode.USCC_CHARS if len(code) == 18 else "0123456789X"
    for char in alphabet:
        if char != code[-1]:
            problem = orgcode.explain(code[:-1] + char)
            assert problem is not None and "校验位" in problem and f"“{code[-1]}”" in problem


@pytest.mark.parametrize("code", USCC)
def test_changed_middle_character_is_invalid(code):
    changed = code[:5] + ("1" if code[5] != "1" else "2") + code[6:]
    assert "校验位" in orgcode.explain(changed)


@pytest.mark.parametrize("char", "IOZSV")
def test_uscc_forbidden_characters(char):
    code = "11330100002482066D"
    problem = orgcode.explain(code[:3] + char + code[4:])
    assert problem is not None and f"“{char}”" in problem and "I、O、Z、S、V" in problem


@pytest.mark.parametrize("code", ["", "1", "00001434", "0000143490", "1133010000248206", "11330100002482066DD"])
def test_wrong_length(code):
    problem = orgcode.explain(code)
    assert problem is not None and f"长度为 {len(code)}" in problem


@pytest.mark.parametrize("code", ["0000-1434", "00001４34", "中文字符中文字符9"])
def test_org_code_characters(code):
    assert orgcode.explain(code) is not None
