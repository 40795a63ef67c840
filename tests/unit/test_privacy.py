"""Privacy guard: each detector positive and negative, with the line and column of the
match (written out by hand from the file texts), masking, allow_personal_data, and the
demo site passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.checks.privacy import find, id_check_digit, is_id_number, luhn, mask
from generator.cli import main

from helpers import make_config, num

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
    for text in (
        "0571-64181001",
        "213812345678",
        "138123456789",
        "12345",
        "12380",
        "1381234-5678",
        "发改价格规〔2016〕2559号",
    ):
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
    assert codes("a@badexample.gov.cn、zz@zj.gov.cn") == []  # government mailboxes are not personal data
    assert codes("a@qq.company.cn、bid@company.com") == []  # not a webmail domain: an organisation's box
    assert codes("x@vip.qq.com、y@163.com、Z@Gmail.com") == ["privacy-email"] * 3
    assert codes("x@example.com", person=True) == ["privacy-email"]  # in an appointee's fields: any address


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
    assert (
        "departments[0].phone" in problem["message"]
        and "内设机构" in problem["message"]
        and "联系电话" in problem["message"]
    )
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
    body = "意见请发送至 gk@example.gov.cn 或 lisi@163.com，抄送 zf@zj.gov.cn、wangwu@qq.com。"
    site = make_site({"content/notices/a.md": md(body)})
    result = site.check()
    assert sorted(p["message"].split("个人电子邮箱 ")[1] for p in result.of("privacy-email")) == [
        "l***@163.com",
        "w***@qq.com",
    ]
    assert {p["line"] for p in result.of("privacy-email")} == {7}
    site.write("site_config.yml", make_config() + "own_domains: [qq.com, 163.com]\n")
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
    assert [p["message"] for p in result.of("privacy-mobile")] == [
        "公示对象 › 第 1 项 › 现任职务（persons[0].current_post）中有手机号码 139****5678"
    ]
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


# ------------------------------------------------------------------ evasions (issue 11)

ID15 = "330102820512123"  # 15 digits: province 33, born 1982-05-12
ZW, NBSP = "\u200b", "\u00a0"
FW = str.maketrans("0123456789", "０１２３４５６７８９")

EVASIONS = [  # (written, code): each is found in the text as written
    ("手机 138 1234 5678", "privacy-mobile"),
    ("手机 138-1234-5678", "privacy-mobile"),
    ("手机 138.1234.5678", "privacy-mobile"),
    (f"手机 138{NBSP}1234{NBSP}5678", "privacy-mobile"),
    ("手机 " + "13812345678".translate(FW), "privacy-mobile"),
    (f"手机 1381{ZW}234{ZW}5678", "privacy-mobile"),
    ("手机 &#49;3812345678", "privacy-mobile"),
    ("手机 1381234\n5678", "privacy-mobile"),
    (f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]}", "privacy-id"),
    (f"身份证 {ID[:6]}-{ID[6:14]}-{ID[14:]}", "privacy-id"),
    (f"身份证 {ID[:6]}.{ID[6:14]}.{ID[14:]}", "privacy-id"),
    (f"身份证 {ID[:6]}{NBSP}{ID[6:]}", "privacy-id"),
    ("身份证 " + ID.translate(FW), "privacy-id"),
    (f"身份证 {ID[:9]}{ZW}{ID[9:]}", "privacy-id"),
    (f"身份证 {ID[:10]}\n{ID[10:]}", "privacy-id"),
    (f"身份证 {ID15}", "privacy-id"),
    (f"身份证 {ID15[:6]} {ID15[6:]}", "privacy-id"),
    ("卡号 6222 0212 3456 7890 128", "privacy-bank-card"),
    ("卡号 4111-1111-1111-1111", "privacy-bank-card"),
    ("邮箱 zhangsan＠qq.com", "privacy-email"),
    ("邮箱 zhangsan&#64;qq.com", "privacy-email"),
    ("邮箱 zhangsan@ｑｑ．ｃｏｍ", "privacy-email"),
    ("邮箱 张三@163.com", "privacy-email"),
    ("出生日期：19820512", "privacy-birthdate"),
    ("1982 05 12 出生", "privacy-birthdate"),
    ("1982 年 5 月 12 日出生", "privacy-birthdate"),
]


@pytest.mark.parametrize("text, code", EVASIONS, ids=[repr(t) for t, _ in EVASIONS])
def test_evasions_are_found(text, code):
    assert codes(text) == [code]
    found = list(find(text, OWN))[0]
    assert text.endswith(found[2]) or found[2] in text  # the text as written, for the locator
    assert "*" in mask(code, found[2])  # masked from what was written


def test_an_idn_address_of_an_appointee_is_found():
    assert codes("zhang@例子.中国", person=True) == ["privacy-email"]
    assert codes("联系：张三@例子.公司", person=True) == ["privacy-email"]


NOT_PERSONAL = [  # must never be flagged
    "索引号 11330100002482066D/2024-00012",
    "统一社会信用代码 11330100002482066D，913301000000000372",
    "办公电话 0571-64181001，0571 6418 1001，0571-64181001-8001",
    "政务服务热线 12345，举报电话 12380",
    "金额 1,381,234.56 元，138123456.78 元，158000000.00 元",
    "2024-01-01、2024.01.01、2024 年 1 月 1 日、20240101 起施行",
    "流水号 20240301123456789，ISBN 978-7-111-21382-6",
    "注册号 330100000012345，编号 123456789012345",
    "第 13 8 项 1234 号",
    "文号 浙政办发〔2024〕13号 2024 13 81",
]


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_no_false_positives(text):
    assert codes(text) == []


# the evasions that only the rendered page shows: (body, line of the paragraph, code)
RENDERED = [
    (f"申请人 {ID[:6]}**{ID[6:14]}**{ID[14:]}。", 7, "privacy-id"),
    (f"申请人 {ID[:10]}<!-- 注释 -->{ID[10:]}。", 7, "privacy-id"),
    ('电话 138<span class="x">1234</span>5678。', 7, "privacy-mobile"),
    ("电话 `1381234`5678。", 7, "privacy-mobile"),
    ("第一段。\n\n电话 [1381234](https://www.example.gov.cn/)5678。", 9, "privacy-mobile"),
    ("第一段。\n\n- 列表\n- 卡号 6222<b>0212345678</b>90128", 10, "privacy-bank-card"),
    ("邮件 zhang*san*@qq.com。", 7, "privacy-email"),
]


@pytest.mark.parametrize("body, line, code", RENDERED, ids=[b[:24] for b, _, _ in RENDERED])
def test_rendered_text_is_scanned(make_site, body, line, code):
    result = make_site({"content/notices/a.md": md(body)}).check()
    problem = result.one(code, "content/notices/a.md")
    assert problem["line"] == line and "正文" in problem["message"]
    assert len([p for p in result.problems if p["code"].startswith("privacy")]) == 1  # once, not twice


def test_rendered_text_of_a_yaml_body_points_at_its_line(make_site):
    text = (
        f"index_no: {N1}\n"  # 1
        "title: 通知\n"  # 2
        "published: 2024-02-01\n"  # 3
        "body: |\n"  # 4
        "  第一段。\n"  # 5
        "\n"  # 6
        f"  申请人 {ID[:6]}**{ID[6:14]}**{ID[14:]}。\n"  # 7
    )
    assert make_site({"content/notices/a.yml": text}).check().at("privacy-id") == (7, 3)


def test_table_cells_are_not_joined(make_site):
    body = "| 项目 | 数量 |\n|---|---|\n| 1381 | 2345678 |\n\n**1381**\n\n2345678"
    assert make_site({"content/notices/a.md": md(body)}).check().problems == []


def test_an_id_split_across_two_lines_of_a_free_page(make_site):
    page = f"---\ntitle: 关于本站\n---\n\n联系人身份证号：{ID[:9]}\n{ID[9:]}。\n\n卡号 6222**0212345678**90128\n"
    result = make_site({"content/pages/about.md": page}).check()
    assert result.at("privacy-id", "content/pages/about.md") == (5, 9)
    assert result.one("privacy-bank-card", "content/pages/about.md")["line"] == 8  # only rendered: the paragraph


@pytest.mark.parametrize(
    "rel",
    [
        "content/notices/2024/2024-01-02-13812345678.md",
        f"content/notices/张三{ID}.md",
        f"content/notices/{ID[:6]}-{ID[6:14]}-{ID[14:]}/a.md",
        "content/pages/138-1234-5678.md",
    ],
)
def test_personal_data_in_a_file_name(make_site, rel):
    text = "---\ntitle: 关于本站\n---\n正文\n" if "/pages/" in rel else md("正文。")
    problems = [p for p in make_site({rel: text}).check().problems if p["code"].startswith("privacy")]
    assert len(problems) == 1 and problems[0]["path"] == rel and problems[0]["line"] == 1
    assert "文件名" in problems[0]["message"] and "****" in problems[0]["message"]


# ------------------------------------------------------------------ government mailboxes (issue 12)


def appointment(email: str, person_email: str = "") -> str:
    resume = f"    resume: 联系邮箱 {person_email}\n" if person_email else ""
    return (
        f"index_no: {N1}\n"  # 1
        "title: 干部任前公示\n"  # 2
        "published: 2024-06-03\n"  # 3
        "notice: {start: 2024-06-03, working_days: 5}\n"  # 4
        "persons:\n"  # 5
        "  - name: 张某某\n"  # 6
        "    proposed_post: 某某局局长\n"  # 7
        f"{resume}"  # 8
        f"feedback: {{phone: '12380', email: {email}}}\n"
    )


def dept_config(org_email: str = "sfj@sfj.hangzhou.gov.cn", feedback: str = "") -> str:
    config = make_config().replace("https://www.example.gov.cn/", "https://sfj.hangzhou.gov.cn/")
    config = config.replace("  code: ", f"  email: {org_email}\n  code: ", 1)
    return config + (f"feedback: {{email: {feedback}}}\n" if feedback else "")


def test_the_citys_organisation_department_mailbox_is_not_personal(make_site):
    site = make_site({"content/appointments/a.yml": appointment("zzb@hangzhou.gov.cn")}, config=dept_config())
    assert site.check().problems == []
    site.write("content/appointments/a.yml", appointment("jb@zj.gov.cn"))  # any government mailbox
    assert site.check().problems == []


def test_the_organisations_own_addresses_count_as_own(make_site):
    config = dept_config(org_email="qssfj@163.com", feedback="xinfang@qingshan-xf.cn")
    site = make_site({"content/notices/a.md": md("来信请寄 qssfj@163.com，或 a@qingshan-xf.cn。")}, config=config)
    assert site.check().problems == []
    site.write("content/notices/a.md", md("也可发 lisi@163.com。"))  # the office's webmail box, not all of 163.com
    assert site.check().one("privacy-email")["message"].endswith("l***@163.com")


def test_an_appointees_address_is_personal(make_site):
    text = appointment("zzb@hangzhou.gov.cn", "zmm@work.cn")
    site = make_site({"content/appointments/a.yml": text}, config=dept_config())
    problem = site.check().one("privacy-email")
    assert (problem["line"], "简历" in problem["message"]) == (8, True)


def test_a_commented_number_is_reported_and_never_reaches_the_page(make_site):
    from generator.render.markdown import render

    body = f"正文。<!-- 申请人身份证号 {ID} -->"
    assert ID not in render(body).html  # the sanitiser drops comments …
    assert make_site({"content/notices/a.md": md(body)}).check().at("privacy-id") == (7, 17)  # … the source keeps them
