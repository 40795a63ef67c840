"""The web editor: `admin/config.yml` generated from site_config.yml and the models, the
`/admin/` files and their Content-Security-Policy, the message when Decap is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator import cms, servers
from generator.config import walk_categories
from generator.model import introspect
from generator.model.registry import TYPES
from helpers import CONFIG, VALID_ITEMS, item_path, run_cli

CMS_LOCAL = "cms:\n  backend: local\n"


def _config(site):
    from generator.config import load_config
    from generator.problems import Problems

    problems = Problems()
    config = load_config(site.path, problems)
    assert config is not None, list(problems)
    return config


def _field(fields: list[dict], *path: str) -> dict:
    for name in path:
        found = next(f for f in fields if f["name"] == name)
        fields = found.get("fields", [])
    return found


def test_one_folder_collection_per_category_with_the_form_of_its_type(make_site):
    config = _config(make_site(config=CONFIG + CMS_LOCAL))
    admin = cms.admin_config(config)
    assert admin["locale"] == "zh_Hans"
    assert admin["publish_mode"] == "editorial_workflow"
    assert (admin["media_folder"], admin["public_folder"]) == ("content/attachments", "attachments")
    categories = list(walk_categories(config.model.categories))
    assert [c["name"] for c in admin["collections"]] == [c.key for c in categories]
    for category, collection in zip(categories, admin["collections"]):
        md = TYPES[category.type].suffix == ".md"
        assert collection["folder"] == f"content/{category.key}"
        assert collection["create"] is True
        assert collection["label"] == category.title
        assert (collection["format"], collection["extension"]) == (("frontmatter", "md") if md else ("yml", "yml"))
        names = [f["name"] for f in collection["fields"]]
        assert "index_no" not in names  # numbered in the repository, never by the editor
        model = TYPES[category.type].model
        for name, info in model.model_fields.items():
            if name != "index_no":
                field = _field(collection["fields"], name)
                assert field["label"] == info.title
                assert field.get("required", True) is info.is_required()


def _walk(fields: list[dict], model):
    """(Decap field, model field info) of every field, nested ones too."""
    for field in fields:
        info = model.model_fields[field["name"]]
        yield field, info
        nested, _ = introspect.nested_model(info.annotation)
        if nested is not None and "fields" in field:
            yield from _walk(field["fields"], nested)


@pytest.mark.parametrize("type_name", list(TYPES))
def test_widgets_follow_the_kind_of_value(type_name):
    model = TYPES[type_name].model
    for field, info in _walk(cms.fields(model), model):
        kind = introspect.kind(info.annotation)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in field["label"]), field
        if kind == "date" and field.get("required", True):
            assert (field["widget"], field["format"], field["time_format"]) == ("datetime", "YYYY-MM-DD", False)
            assert field["default"] == ""  # the editor picks the date: Decap would fill in today's
        elif kind == "date":  # an optional date: text, so that an untouched one is not written as ""
            assert field["widget"] == "string" and field["pattern"][0] == r"^\d{4}-\d{2}-\d{2}$"
        elif kind == "enum":
            enum = introspect.strip(info.annotation)
            assert field["widget"] == "select"
            assert field["options"] == [{"label": m.label, "value": m.value} for m in enum]
        elif kind in ("int", "number"):
            assert field["widget"] == "number"
        elif kind == "model":
            assert field["widget"] == "object" and field["fields"]
        elif kind == "list":
            assert field["widget"] in ("list", "hidden")
        elif field["name"] == "body":
            assert field["widget"] == "markdown"


def test_nested_tables_and_lists_have_their_children():
    budget = cms.fields(TYPES["budget"].model)
    rows = _field(budget, "tables", "income")
    assert rows["widget"] == "list" and {f["name"] for f in rows["fields"]} >= {"item", "amount", "children"}
    children = _field(rows["fields"], "children")
    assert children["widget"] == "list"
    assert _field(children["fields"], "children")["widget"] == "list"  # 类 → 款 → 项
    materials = _field(cms.fields(TYPES["procedure"].model), "service", "materials")
    assert {f["name"] for f in materials["fields"]} >= {"name", "copies"}
    assert _field(cms.fields(TYPES["procedure"].model), "service", "steps")["widget"] == "list"
    assert _field(cms.fields(TYPES["appointment"].model), "persons")["widget"] == "list"
    assert _field(cms.fields(TYPES["fee"].model), "items")["widget"] == "list"
    assert _field(cms.fields(TYPES["work_report"].model), "plans", "status")["widget"] == "select"


@pytest.mark.parametrize(
    "section, backend, connect",
    [
        ("cms:\n  backend: github\n  repo: office/site\n  base_url: https://auth.example.gov.cn\n",
         {"name": "github", "repo": "office/site", "branch": "main", "base_url": "https://auth.example.gov.cn"},
         ["https://api.github.com", "https://auth.example.gov.cn", "http://localhost:8081"]),
        ("cms:\n  backend: gitea\n  repo: office/site\n  api_root: https://git.example.gov.cn/api/v1\n  app_id: abc\n"
         "  local_backend: false\n",
         {"name": "gitea", "repo": "office/site", "branch": "main", "api_root": "https://git.example.gov.cn/api/v1",
          "app_id": "abc", "auth_type": "pkce"},
         ["https://git.example.gov.cn"]),
        ("cms:\n  backend: gitlab\n  repo: office/site\n  branch: content\n",
         {"name": "gitlab", "repo": "office/site", "branch": "content"},
         ["https://gitlab.com", "http://localhost:8081"]),
        (CMS_LOCAL, {"name": "proxy", "proxy_url": "http://localhost:8081/api/v1", "branch": "main"},
         ["http://localhost:8081"]),
    ],
)  # fmt: skip
def test_backends_are_configured_in_site_config(make_site, section, backend, connect):
    config = _config(make_site(config=CONFIG + section))
    admin = cms.admin_config(config)
    assert admin["backend"] == backend
    assert ("local_backend" in admin) is (backend["name"] != "proxy" and config.model.cms.local_backend)
    assert cms.connect_sources(config.model.cms) == connect


def test_a_hosted_backend_without_repo_is_a_config_problem(make_site):
    site = make_site(config=CONFIG + "cms:\n  backend: github\n")
    result = site.check()
    problem = next(p for p in result.problems if p["path"] == "site_config.yml")
    assert "repo" in problem["message"] and "仓库" in problem["message"], problem


def test_build_writes_admin_with_its_own_policy_and_keeps_the_public_one(make_site, tmp_path):
    site = make_site({item_path("fee"): VALID_ITEMS["fee"]}, config=CONFIG + CMS_LOCAL)
    assert site.run("number").code == 0
    assert site.run("publish").code == 0
    out = tmp_path / "out"
    result = site.run("build", "-o", str(out))
    assert result.code == 0, result.err
    assert (out / "admin" / "decap-cms.js").is_file()
    page = (out / "admin" / "index.html").read_text(encoding="utf-8")
    assert '<script src="decap-cms.js"></script>' in page and "http" not in page.replace("http-equiv", "")
    assert yaml.safe_load((out / "admin" / "config.yml").read_text(encoding="utf-8")) == cms.admin_config(_config(site))
    server = servers.default_folder(out)  # the server configurations beside the site, not in it
    headers = (server / "_headers").read_text(encoding="utf-8")
    public, admin = headers.split("/admin/*")
    assert "script-src 'self' 'wasm-unsafe-eval'" in public
    assert "unsafe-eval'" not in public.replace("wasm-unsafe-eval", "")  # the public pages stay as strict
    assert "! Content-Security-Policy" in admin and "connect-src 'self' http://localhost:8081" in admin
    assert "script-src 'self' 'unsafe-eval';" in admin  # AJV in Decap: nothing inline, no other host
    nginx = (server / "nginx.conf").read_text(encoding="utf-8")
    assert "location ^~ /admin/ {" in nginx
    plain = tmp_path / "plain"
    site.write("site_config.yml", CONFIG)
    assert site.run("build", "-o", str(plain)).code == 0
    headers = (servers.default_folder(plain) / "_headers").read_text(encoding="utf-8")
    assert not (plain / "admin").exists() and "/admin/" not in headers


def test_a_missing_decap_bundle_is_a_chinese_message_not_a_traceback(make_site, tmp_path, monkeypatch):
    site = make_site({item_path("fee"): VALID_ITEMS["fee"]}, config=CONFIG + CMS_LOCAL)
    assert site.run("number").code == 0 and site.run("publish").code == 0
    monkeypatch.setenv("GONGKAI_DECAP_DIR", str(tmp_path / "nowhere"))
    done = run_cli("build", "-s", str(site.path), "-o", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "找不到 Decap CMS" in done.stderr and "make" in done.stderr
    assert not (tmp_path / "out" / "admin").exists()


def test_the_demo_enables_the_editor():
    demo = yaml.safe_load((Path(__file__).resolve().parents[2] / "site_config.yml").read_text(encoding="utf-8"))
    assert demo["cms"]["backend"] in ("local", "github", "gitlab", "gitea")
