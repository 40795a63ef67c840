"""The loader: YAML with positions, encodings, front matter, Chinese key aliases, and the
editor slips it must explain at the right line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator.load import documents, yamlnodes
from generator.load.aliases import key_table, normalize
from generator.load.documents import LoadProblem, load_document, split_front_matter
from generator.load.yamlnodes import YamlProblem, parse
from generator.model.article import Article
from generator.model.base import Status, Validity
from generator.model.procedure import Procedure

from helpers import dedent, num

N1 = num(2024, 1)


# ------------------------------------------------------------------ positions


def test_positions_of_values_and_keys():
    parsed = parse(dedent(
        """
        title: 通知
        service:
          steps:
            - name: 受理
              days: 1
            - {name: 审查, days: 3}
        """
    ))  # fmt: skip
    assert parsed.positions[("title",)] == (1, 8)
    assert parsed.key_positions[("title",)] == (1, 1)
    assert parsed.positions[("service", "steps", 0, "days")] == (5, 13)
    assert parsed.key_positions[("service", "steps", 0, "days")] == (5, 7)
    assert parsed.positions[("service", "steps", 1, "days")] == (6, 24)


def test_line_offset_is_added():
    parsed = parse("title: a\npublished: 2024-01-01\n", line_offset=1)
    assert parsed.positions[("published",)] == (3, 12)


def test_columns_count_characters_not_bytes():
    parsed = parse("标题: 通知\n发布日期: 2024-01-01\n")
    assert parsed.positions[("发布日期",)] == (2, 7)


def test_scalars_keep_their_meaning():
    parsed = parse(dedent(
        """
        phone: 0571-00000000
        postcode: 0571
        amount: 1200.50
        count: 3
        date: 2024-02-30
        yes: 是
        flag: true
        empty:
        """
    ))  # fmt: skip
    data = parsed.data
    assert data["phone"] == "0571-00000000"
    assert data["postcode"] == "0571"  # not the octal number 377
    assert data["amount"] == Decimal("1200.50") and str(data["amount"]) == "1200.50"
    assert data["count"] == 3
    assert data["date"] == "2024-02-30"  # dates are checked by the schema, not by YAML
    assert data["flag"] is True
    assert data["empty"] is None


def test_duplicate_keys_are_recorded_with_both_positions():
    parsed = parse("title: a\npublished: 2024-01-01\ntitle: b\n")
    assert parsed.data["title"] == "a"
    assert parsed.duplicates == [(("title",), (1, 1), (3, 1))]


def test_python_tag_is_refused():
    with pytest.raises(YamlProblem) as exc:
        parse('title: !!python/object/apply:os.system ["echo hi"]\n')
    assert exc.value.code == "yaml-tag" and (exc.value.line, exc.value.col) == (1, 8)


def test_alias_bomb_is_refused():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(YamlProblem) as exc:
        parse("\n".join(lines) + "\n")
    assert exc.value.code == "yaml-too-large"
    assert "alias" in exc.value.message


def test_merge_key_is_refused():
    with pytest.raises(YamlProblem) as exc:
        parse("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert exc.value.code == "yaml-merge" and exc.value.line == 3


@pytest.mark.parametrize("levels", [500, 1100])  # 1100: beyond libyaml's own limit (1000) where it has one
def test_deep_nesting_is_refused_not_a_recursion_error(yaml_loader, levels):
    with pytest.raises(YamlProblem) as exc:
        parse("k: " + "[" * 5000 + "]" * 5000 + "\n")
    assert exc.value.code == "yaml-too-deep" and exc.value.line == 1
    with pytest.raises(YamlProblem) as exc:
        parse("k:\n" + "".join(" " * i + "a:\n" for i in range(1, levels)))
    assert exc.value.code == "yaml-too-deep" and exc.value.line > 1


def test_complex_key_is_refused():
    with pytest.raises(YamlProblem) as exc:
        parse("? [a, b]\n: x\n")
    assert exc.value.code == "yaml-key" and exc.value.line == 1


def test_unclosed_quote_points_at_the_quote():
    with pytest.raises(YamlProblem) as exc:
        parse('title: "通知\npublished: 2024-01-01\n')
    assert exc.value.code == "yaml-syntax"
    assert (exc.value.line, exc.value.col) == (1, 8)


# ------------------------------------------------------------------ files


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_bom_and_crlf(tmp_path):
    path = write(tmp_path, "a.yml", b"\xef\xbb\xbftitle: a\r\npublished: 2024-01-01\r\n")
    doc = load_document(path, tmp_path)
    assert doc.data == {"title": "a", "published": "2024-01-01"}
    assert doc.bom and doc.newline == "\r\n"
    assert doc.positions[("published",)] == (2, 12)
    assert doc.rel == "a.yml"


def test_markdown_front_matter_and_body(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: a\npublished: 2024-01-01\n---\n\n正文第一段。\n")
    doc = load_document(path, tmp_path)
    assert doc.data == {"title": "a", "published": "2024-01-01"}
    assert doc.positions[("published",)] == (3, 12)
    assert doc.body == "\n正文第一段。\n"
    assert doc.body_line == 5 and doc.front_line == 2


def test_front_matter_may_end_with_dots():
    yaml_text, body, body_line = split_front_matter("---\ntitle: a\n...\nbody\n")
    assert yaml_text == "title: a" and body == "body\n" and body_line == 4


@pytest.mark.parametrize(
    "text, code",
    [
        ("title: a\n", "front-matter-missing"),
        ("---\ntitle: a\n\nbody\n", "front-matter-unclosed"),
        ("---\n# only a comment\n---\nbody\n", "empty-file"),
    ],
)
def test_front_matter_problems(tmp_path, text, code):
    with pytest.raises(LoadProblem) as exc:
        load_document(write(tmp_path, "a.md", text), tmp_path)
    assert exc.value.code == code


def test_file_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 100)
    with pytest.raises(LoadProblem) as exc:
        load_document(write(tmp_path, "a.yml", "title: " + "长" * 100 + "\n"), tmp_path)
    assert exc.value.code == "file-too-large"


def test_nul_bytes(tmp_path):
    with pytest.raises(LoadProblem) as exc:
        load_document(write(tmp_path, "a.yml", b"title: a\npublished: 2024\x00\n"), tmp_path)
    assert (exc.value.code, exc.value.line) == ("encoding", 2)


def test_list_instead_of_mapping(tmp_path):
    with pytest.raises(LoadProblem) as exc:
        load_document(write(tmp_path, "a.yml", "- title: a\n- published: 2024-01-01\n"), tmp_path)
    assert (exc.value.code, exc.value.line, exc.value.col) == ("not-a-mapping", 1, 1)


def test_alias_table_has_english_and_chinese_keys():
    table = key_table(Article)
    assert table["title"] == table["标题"] == "title"
    assert table["index_no"] == table["索引号"] == "index_no"


# ------------------------------------------------------------------ through `gongkai check`


def test_unknown_key_did_you_mean_english(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\nsumary: 概述\n"
    result = make_site({"content/notices/a.yml": text}).check()
    problem = result.one("unknown-key")
    assert (problem["line"], problem["col"]) == (4, 1)
    assert "sumary" in problem["message"]
    assert "“summary”" in problem["hint"] and "内容概述" in problem["hint"]
    assert result.code == 1


def test_unknown_key_did_you_mean_chinese(make_site):
    text = f"索引号: {N1}\n标题: 通知\n发布日其: 2024-02-01\n"
    result = make_site({"content/notices/a.yml": text}).check()
    problem = result.one("unknown-key")
    assert (problem["line"], problem["col"]) == (3, 1)
    assert "“发布日期”" in problem["hint"] and "published" in problem["hint"]


def test_unknown_key_nested(make_site, valid_items):
    text = f"index_no: {N1}\n" + valid_items["procedure"].replace("  legal_days: 20", "  legal_day: 20")
    result = make_site({"content/guides/a.yml": text}).check()
    problem = result.one("unknown-key")
    assert (problem["line"], problem["col"]) == (13, 3)
    assert "“legal_days”" in problem["hint"]


def test_unknown_key_without_close_match_lists_fields(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\nzzzzzz: 1\n"
    problem = make_site({"content/notices/a.yml": text}).check().one("unknown-key")
    assert "title（标题）" in problem["hint"]


def test_duplicate_key_and_its_chinese_alias(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\n标题: 另一个标题\n"
    result = make_site({"content/notices/a.yml": text}).check()
    problem = result.one("duplicate-key")
    assert (problem["line"], problem["col"]) == (4, 1)
    assert "第 2 行" in problem["message"] and "第 4 行" in problem["message"]
    assert "title" in problem["message"] and "标题" in problem["message"]
    assert result.code == 1


def test_duplicate_key_written_twice(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\ntitle: 另一个\n"
    problem = make_site({"content/notices/a.yml": text}).check().one("duplicate-key")
    assert (problem["line"], problem["col"]) == (4, 1)
    assert "第 2 行" in problem["message"] and "第 4 行" in problem["message"]


def test_duplicate_key_nested_in_alias_form(make_site, valid_items):
    text = f"index_no: {N1}\n" + valid_items["procedure"].replace(
        "  legal_days: 20\n", "  legal_days: 20\n  法定时限: 20\n"
    )
    problem = make_site({"content/guides/a.yml": text}).check().one("duplicate-key")
    assert problem["line"] == 14
    assert "第 13 行" in problem["message"]


def test_body_twice_in_markdown(make_site):
    text = f"---\nindex_no: {N1}\ntitle: 通知\npublished: 2024-02-01\nbody: 正文\n---\n又一段正文\n"
    assert make_site({"content/notices/a.md": text}).check().at("duplicate-key") == (5, 1)


def test_fullwidth_colon(make_site):
    text = f"index_no: {N1}\ntitle: 通知\n发布日期：2024-02-01\nsummary: 概述\n"
    result = make_site({"content/notices/a.yml": text}).check()
    problem = result.one("fullwidth-colon")
    assert (problem["line"], problem["col"]) == (3, 5)
    assert "发布日期" in problem["message"]
    assert "发布日期: " in problem["hint"]


def test_fullwidth_colon_on_the_only_line(make_site):
    problem = make_site({"content/notices/a.yml": "标题：通知\n"}).check().one("not-a-mapping")
    assert "全角冒号" in problem["hint"]


def test_tab_indent(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\nattachments:\n\t- file: attachments/a.pdf\n"
    result = make_site({"content/notices/a.yml": text}).check()
    problem = result.one("tab-indent")
    assert (problem["line"], problem["col"]) == (5, 1)
    assert "空格" in problem["hint"]


def test_gbk_file(make_site):
    data = f"index_no: {N1}\n".encode() + "title: 关于春节放假的通知\npublished: 2024-02-01\n".encode("gbk")
    result = make_site({"content/notices/a.yml": data}).check()
    problem = result.one("encoding")
    assert problem["line"] == 2
    assert "GBK" in problem["hint"] and "iconv -f GBK -t UTF-8 a.yml" in problem["hint"]


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf", b"# only a comment\n"])
def test_empty_file(make_site, data):
    result = make_site({"content/notices/a.yml": data}).check()
    problem = result.one("empty-file")
    assert (problem["line"], problem["col"]) == (1, 1)
    assert result.code == 1


def test_yaml_syntax_at_its_line(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\n  summary: 缩进错了\nvalidity: 有效\n"
    problem = make_site({"content/notices/a.yml": text}).check().one("yaml-syntax")
    assert problem["line"] == 4
    assert problem["hint"]


def test_yaml_syntax_unclosed_bracket_names_its_line(make_site):
    text = f"index_no: {N1}\ntitle: 通知\nkeywords: [政务公开, 年报\npublished: 2024-02-01\n"
    problem = make_site({"content/notices/a.yml": text}).check().one("yaml-syntax")
    assert (problem["line"], problem["col"]) == (3, 11)  # where the bracket was opened
    assert "第 3 行" in problem["message"] and "“[”" in problem["message"]


def test_enum_chinese_values(make_site):
    files = {
        "content/notices/a.yml": f"索引号: {N1}\n标题: 废止的文件\n发布日期: 2024-02-01\n有效性: 废止\n",
        "content/notices/b.yml": "标题: 草稿\n发布日期: 2024-02-01\n状态: 草稿\n",
        "content/notices/c.yml": f"index_no: {num(2024, 2)}\ntitle: 失效\npublished: 2024-02-01\nvalidity: expired\n",
    }
    site = make_site(files)
    assert site.check().problems == []
    loaded, _ = site.load()
    by_path = {e.rel: e for e in loaded.entries}
    assert by_path["content/notices/a.yml"].validity is Validity.repealed
    assert by_path["content/notices/a.yml"].validity.label == "废止"
    assert by_path["content/notices/b.yml"].status is Status.draft and by_path["content/notices/b.yml"].is_draft
    assert by_path["content/notices/c.yml"].validity is Validity.expired


def test_enum_unknown_value(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\nvalidity: 作废\n"
    problem = make_site({"content/notices/a.yml": text}).check().one("invalid-choice")
    assert (problem["line"], problem["col"]) == (4, 11)
    assert "作废" in problem["message"] and "废止" in problem["hint"]


def test_markdown_front_matter_line_offset(make_site):
    # the third front-matter line is file line 4
    text = f"---\nindex_no: {N1}\ntitle: 通知\npublished: 2024-02-30\n---\n正文\n"
    result = make_site({"content/notices/a.md": text}).check()
    assert result.at("invalid-date") == (4, 12)


def test_markdown_front_matter_offset_for_loader_problems(make_site):
    text = f"---\nindex_no: {N1}\ntitle: 通知\n发布日期：2024-02-01\nsummary: x\n---\n正文\n"
    assert make_site({"content/notices/a.md": text}).check().at("fullwidth-colon") == (4, 5)
    text = f"---\nindex_no: {N1}\ntitle: 通知\nsumary: x\npublished: 2024-02-01\n---\n正文\n"
    assert make_site({"content/notices/a.md": text}).check().at("unknown-key") == (4, 1)
    text = f"---\nindex_no: {N1}\ntitle: 通知\npublished: 2024-02-01\n\tsummary: x\n---\n正文\n"
    assert make_site({"content/notices/a.md": text}).check().at("tab-indent") == (5, 1)


def test_markdown_with_bom_and_crlf(make_site):
    text = f"\ufeff---\r\nindex_no: {N1}\r\ntitle: 通知\r\npublished: 2024-02-30\r\n---\r\n正文\r\n"
    assert make_site({"content/notices/a.md": text}).check().at("invalid-date") == (4, 12)


def test_missing_required_field(make_site):
    result = make_site({"content/notices/a.yml": f"index_no: {N1}\ntitle: 通知\n"}).check()
    problem = result.one("missing-field")
    assert "发布日期" in problem["message"] and "published" in problem["message"]
    assert problem["line"] == 1


def test_missing_nested_field_points_at_its_group(make_site, valid_items):
    text = f"index_no: {N1}\n" + valid_items["procedure"].replace("  location: 县政务服务中心\n", "")
    problem = make_site({"content/guides/a.yml": text}).check().one("missing-field")
    assert problem["line"] == 4  # `service:`
    assert "办理地点" in problem["message"]


def test_month_format_for_work_report_period(make_site, valid_items):
    text = f"index_no: {N1}\n" + valid_items["work_report"].replace("period: 2024-05", "period: 2024-5")
    assert make_site({"content/reports/a.yml": text}).check().at("month-format") == (4, 9)


def test_topic_must_be_one_of_the_22(make_site):
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\ntopic: 综合正务\n"
    problem = make_site({"content/notices/a.yml": text}).check().one("topic")
    assert (problem["line"], problem["col"]) == (4, 8)
    assert "综合政务" in problem["message"]


def test_normalize_keeps_positions_under_english_keys(tmp_path):
    path = write(tmp_path, "a.yml", "索引号: X\n事项:\n  法定时限: 20\n")
    doc = load_document(path, tmp_path)
    assert normalize(doc, Procedure) == []
    assert doc.data == {"index_no": "X", "service": {"legal_days": 20}}
    assert doc.pos(("service", "legal_days")) == (3, 9)
    assert doc.key_pos(("service", "legal_days")) == (3, 3)


def test_yamlnodes_module_limits_are_sane():
    assert yamlnodes.MAX_NODES >= 10_000
    assert 16 <= yamlnodes.MAX_DEPTH <= 1000


def test_control_character_is_located():
    with pytest.raises(YamlProblem) as exc:
        parse("title: 关于春节\npublished: 2024\x07-02-01\n", line_offset=1)
    assert exc.value.code == "control-char"
    assert (exc.value.line, exc.value.col) == (3, 16)
    assert "U+0007" in exc.value.message


@pytest.mark.parametrize(
    "written, meant, english",
    [("发布时间", "发布日期", "published"), ("文号", "发文字号", "doc_no"), ("成文时间", "成文日期", "written"),
     ("关键词", "主题词", "keywords"), ("发布单位", "发布机构", "publisher"), ("date", "published", "published")],
)  # fmt: skip
def test_unknown_key_suggested_by_meaning(make_site, written, meant, english):
    """`发布时间` is 发布日期 (by spelling, 发布机构 would be closer)."""
    text = f"index_no: {N1}\ntitle: 通知\npublished: 2024-02-01\n{written}: x\n"
    problem = make_site({"content/notices/a.yml": text}).check().one("unknown-key")
    assert f"是不是“{meant}”（{english} /" in problem["hint"]


def test_synonym_suggested_only_where_the_model_has_it(make_site, valid_items):
    text = f"index_no: {N1}\n" + valid_items["procedure"].replace("{name: 受理, days: 1}", "{name: 受理, 期限: 1}")
    problem = make_site({"content/guides/a.yml": text}).check().one("unknown-key")
    assert "“时限”（days / 时限）" in problem["hint"]
