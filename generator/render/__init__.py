"""Rendering: templates, Markdown, page shells; `mkdocs_site` is the only module that
knows the site renderer (mkdocs-material)."""

from pathlib import Path

THEME_DIR = Path(__file__).resolve().parents[1] / "theme"  # package data: generator/theme/
