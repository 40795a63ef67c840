"""article (通知公告, 工作动态, 政策文件 …): the common fields and a Markdown body."""

from __future__ import annotations

from generator.model.base import Item


class Article(Item):
    pass
