"""Privacy guard: each detector positive and negative, with the line and column of the
match (written out by hand from the file texts), masking, allow_personal_data, and the
demo site passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_config, num

from generator.checks.privacy import find, id_check_digit, is_id_number, luhn, mask
from generator.cli import main

N1 = num(2024, 1)
ID = "330102198205121238"  # valid check digit
ID_X = "11010519491231002X"  # check digit X
CARD = "6222021234567890128"  # 19 digits, Luhn
OWN = ("example.gov.cn",)
DEMO = Path(__file__).resolve().parents[2]


def md(body: str, extra: str = "") -> str:
    # line 1 ---, 2 index_no, 3 title, 4 published, then `extra`, then --- and a blank line
    return f"---\nindex_no: {N1}\ntitle: 通知\npublished: 2024-02-01\n{extra}---\n\n{body}\n"


def codes(text: str, **kwargs) -> list[str]:
    return [code for code, _, _ in find(text, OWN, **kwargs)]


# ------------------------------------------------------------------ detectors alone


def test_id_number_rules():
    assert id_check_digit(ID[:17]) == "8" and is_id_number(ID) and is_id_number(ID_X) and is_id_number(ID_X.lower())
    assert not is_id_number(ID[:17] + "7")  # wrong check digit
    assert not is_id_number("330102198213121234")  # month 13
    assert codes(f"身份证号{ID}。") == ["privacy-id"]
    assert codes(f"证件号码：{ID_X}") == ["privacy-id"]
    assert codes("统一社会信用代码11330100002482066D") == []
    assert codes(f"A{ID}") == [] and codes(f"{ID}9") == [] and codes(f"{ID}B") == []
    assert codes(f"11330100002482066D-XK-0001 {ID[:17]}7") == []


def test_mobile_rules():
    for text in ("电话13812345678，", "手机：138-1234-5678", "138 1234 5678", "+86 139 1234 5678", "(19912345678)"):
        assert codes(text) == ["privacy-mobile"], text
    for text in ("0571-64181001", "213812345678", "138123456789", "12345", "12380", "1381234-5678", "发改价格规〔2016〕2559号"):
        assert codes(text) == [], text


def test_bank_card_rules():
    assert luhn(CARD) and luhn("4111111111111111") and not luhn("4111111111111112")
    assert codes(f"请汇至{CARD}。") == ["privacy-bank-card"]
    assert codes("卡号 4111111111111111") == ["privacy-bank-card"]
    assert codes("卡号 4111111111111112") == []  # fails Luhn
    assert codes("ISBN 9787111213826 978-7-111-21382-6") == []  # 13 digits
    assert codes("共计 1234567890123456.78 元，0.4111111111111111") == []  # amounts
    assert codes("流水号 20240301123456789") == []  # starts with a date: a timestamp
    assert codes(f"{CARD}1") == [] and codes(f"X{CARD}") == []  # longer runs
    assert luhn("913301000000000372") and codes("代码 913301000000000372") == []  # an all-digit 统一社会信用代码


def test_email_rules():
    assert codes("联系 zhangsan@qq.com") == ["privacy-email"]
    assert codes("gk@example.gov.cn、x@jyj.example.gov.cn、12380@EXAMPLE.gov.cn") == []
    assert codes("a@badexample.gov.cn") == ["privacy-email"]  # not a subdomain


def test_birthdate_rules():
    assert codes("张某某，1982年5月12日出生，") == ["privacy-birthdate"]
    assert codes("出生日期：1982-05-12") == ["privacy-birthdate"]
    assert codes("张某某，1982.05.12生，汉族") == ["privacy-birthdate"]
    assert codes("自2024年1月1日起施行，2024年1月1日生效") == []
    assert codes("1982-05-12", person=True) == ["privacy-birthdate"]
    assert codes("2003.08.01—2011.04 青山县司法局科员", person=True, resume=True) == []
    assert codes("1982年5月12日出生", person=True, resume=True) == ["privacy-birthdate"]
    assert codes("1982-05", person=True) == [] and codes("2024-02-30", person=True) == []


def test_masking():
    assert mask("privacy-id", ID) == "330102********1238"
    assert mask("privacy-mobile", "+86 138-1234-5678") == "138****5678"
    assert mask("privacy-bank-card", CARD) == "6222***********0128"
    assert mask("privacy-email", "zhangsan@qq.com") == "z***@qq.com"
    assert mask("privacy-birthdate", "1982年5月12日") == "1982年**月**日"
    assert mask("privacy-birthdate", "1982-05-12") == "1982-**-**"


# ------------------------------------------------------------------ in items: positions and fields


def test_id_number_in_a_markdown_body(make_site):
    site = make_site({"content/notices/a.md": md(f"第一段。\n\n申请人身份证号：{ID}，请核对。")})
    result = site.check()
    assert result.code == 1
    problem = result.one("privacy-id", "content/notices/a.md")
    assert (problem["line"], problem["col"]) == (9, 9)
    assert "330102********1238" in problem["message"] and ID not in problem["message"] + problem["hint"]
    assert "正文" in problem["message"] and "body" in problem["message"]


def test_mobile_in_a_flow_mapping(make_site):
    duty = (
        f"index_no: {N1}\n"  # 1
        "title: 机构职能\n"  # 2
        "published: 2024-01-02\n"  # 3
        "organization: {name: 测试县人民政府办公室, phone: 0571-64181001}\n"  # 4
        "duties: [负责文电]\n"  # 5
        "departments:\n"  # 6
        "  - {name: 秘书科, head: 王某, phone: 138-1234-5678}\n"  # 7
    )
    result = make_site({"content/duties/office.yml": duty}).check()
    problem = result.one("privacy-mobile")
    assert (problem["line"], problem["col"]) == (7, 34)
    assert "138****5678" in problem["message"]
    assert "departments[0].phone" in problem["message"] and "内设机构" in problem["message"] and "联系电话" in problem["message"]
    assert len(result.problems) == 1


def test_bank_card_in_a_block_scalar_and_a_summary(make_site):
    text = (
        f"index_no: {N1}\n"  # 1
        "title: 通知\n"  # 2
        "published: 2024-02-01\n"  # 3
        f"summary: 请汇款至 {CARD}\n"  # 4
        "body: |\n"  # 5
        "  第一行。\n"  # 6
        f"  第二行，账号：{CARD}。\n"  # 7
    )
    result = make_site({"content/notices/a.yml": text}).check()
    found = sorted((p["line"], p["col"]) for p in result.of("privacy-bank-card"))
    assert found == [(4, 15), (7, 10)]
    assert all("6222***********0128" in p["message"] for p in result.of("privacy-bank-card"))


def test_second_occurrence_in_one_value_is_located(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\nbody: |\n  a@qq.com\n  b a@qq.com\n"
    result = make_site({"content/notices/a.yml": text}).check()
    assert sorted((p["line"], p["col"]) for p in result.of("privacy-email")) == [(5, 3), (6, 5)]


def test_external_email_and_own_domains(make_site):
    body = "意见请发送至 gk@example.gov.cn 或 lisi@163.com，抄送 zf@zj.gov.cn。"
    site = make_site({"content/notices/a.md": md(body)})
    result = site.check()
    assert sorted(p["message"].split("外部电子邮箱 ")[1] for p in result.of("privacy-email")) == ["l***@163.com", "z***@zj.gov.cn"]
    assert {p["line"] for p in result.of("privacy-email")} == {7}
    site.write("site_config.yml", make_config() + "own_domains: [zj.gov.cn, 163.com]\n")
    assert site.check().problems == []


def test_birthdate_in_an_appointment(make_site):
    text = (
        f"index_no: {N1}\n"  # 1
        "title: 干部任前公示\n"  # 2
        "published: 2024-06-03\n"  # 3
        "notice: {start: 2024-06-03, working_days: 5}\n"  # 4
        "allow_personal_data: [persons]\n"  # 5
        "persons:\n"  # 6
        "  - name: 张某某\n"  # 7
        "    birth: 1982-05\n"  # 8
        "    proposed_post: 青山县某某局局长\n"  # 9
        "    resume: 2003.08.01—2011.04 科员；1982年5月12日出生。\n"  # 10
        "    education: 大学（1982-05-12）\n"  # 11
    )
    result = make_site({"content/appointments/a.yml": text}).check()
    found = sorted((p["line"], p["col"]) for p in result.of("privacy-birthdate"))
    assert found == [(10, 35), (11, 19)]  # allow_personal_data cannot allow these
    assert all("出生年月" in p["hint"] for p in result.of("privacy-birthdate"))


def test_allow_personal_data(make_site):
    body = f"当事人：个体工商户李某，经营者身份证号 {ID}。"
    site = make_site({"content/notices/a.md": md(body, "allow_personal_data: [body]\n")})
    assert site.check().problems == []
    site.write("content/notices/a.md", md(body, "允许公开的个人信息: [正文]\n"))
    assert site.check().problems == []
    site.write("content/notices/a.md", md(body, "allow_personal_data: [summary]\n"))
    assert site.check().one("privacy-id")


def test_allow_personal_data_with_nested_paths(make_site):
    text = (
        f"index_no: {N1}\n"
        "title: 干部任前公示\n"
        "published: 2024-06-03\n"
        "notice: {start: 2024-06-03, working_days: 5}\n"
        "allow_personal_data: [公示对象.简历, persons.foo]\n"  # 5
        "persons:\n"
        "  - {name: 张某某, proposed_post: 局长, resume: 联系人手机 13812345678, current_post: 科长 13912345678}\n"
    )
    result = make_site({"content/appointments/a.yml": text}).check()
    assert [p["message"] for p in result.of("privacy-mobile")] == ["公示对象 › 第 1 项 › 现任职务（persons[0].current_post）中有手机号码 139****5678"]
    problem = result.one("privacy-allow")
    assert (problem["line"], "persons.foo" in problem["message"]) == (5, True)


def test_id_number_of_an_appointee_is_never_allowed(make_site):
    text = (
        f"index_no: {N1}\ntitle: 干部任前公示\npublished: 2024-06-03\n"
        "notice: {start: 2024-06-03, working_days: 5}\nallow_personal_data: [persons]\n"
        f"persons:\n  - {{name: 张某某, proposed_post: 局长, resume: 身份证 {ID}}}\n"
    )
    assert make_site({"content/appointments/a.yml": text}).check().one("privacy-id")["line"] == 7


def test_number_written_as_an_integer_is_scanned(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\nsummary: 13812345678\n"
    assert make_site({"content/notices/a.yml": text}).check().at("privacy-mobile") == (4, 10)


def test_drafts_are_not_scanned(make_site):
    text = f"---\ntitle: 草稿\npublished: 2024-02-01\nstatus: draft\n---\n身份证号 {ID}\n"
    assert make_site({"content/notices/a.md": text}).check().problems == []


@pytest.mark.skipif(not (DEMO / "site_config.yml").is_file(), reason="demo site not present")
def test_demo_site_passes(capsys):
    code = main(["check", "-s", str(DEMO), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "privacy-" not in out and "register-" not in out


def test_free_pages_are_scanned_too(make_site):
    page = "---\ntitle: 关于本站\n---\n\n联系电话：0571-64181001。\n值班手机：13912345678。\n"
    result = make_site({"content/pages/about.md": page}).check()
    assert result.at("privacy-mobile", "content/pages/about.md") == (6, 6)
    assert "139****5678" in result.one("privacy-mobile")["message"]
    assert len([p for p in result.problems if p["code"].startswith("privacy")]) == 1  # the landline is fine
