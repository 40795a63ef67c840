"""Page shells: a page rendered once by the site renderer, then filled many times.

The renderer (mkdocs-material today) renders each category page with markers in place
of the title, the head tags and the content. Every page below that category (its items,
its further list pages) is the shell with the markers replaced and every relative URL
of the shell moved down to the page's depth. Filling is string concatenation, so an item
page costs microseconds instead of a template render with the whole navigation.
"""

from __future__ import annotations

import re
from functools import lru_cache

TITLE = "@@GK-TITLE@@"
HEAD = "<!--GK-HEAD-->"
CONTENT = "<!--GK-CONTENT-->"

# Relative URLs in attributes, and the two paths Material keeps in its JSON config.
_ATTR = re.compile(r'(\s(?:href|src|action)=")([^"#][^"]*)"')
_JSON = re.compile(r'("(?:base|search)":\s*")([^"]*)"')
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


def _rebase(html: str, prefix: str) -> str:
    if not prefix:
        return html

    def move(match: re.Match) -> str:
        url = match.group(2)
        if _ABSOLUTE.match(url):
            return match.group(0)
        return f'{match.group(1)}{prefix}{url}"'

    return _JSON.sub(move, _ATTR.sub(move, html))


class Shell:
    """A rendered page at `url` (site-relative, e.g. `notices/`) with fill-in markers."""

    def __init__(self, html: str, url: str):
        if html.count(CONTENT) != 1 or HEAD not in html:
            raise ValueError(f"the page shell of {url} lost its markers: check theme/overrides/main.html")
        self.url = url
        self.depth = url.count("/")
        self.html = html

    @lru_cache(maxsize=16)  # noqa: B019 a handful of shells, alive for the whole build anyway
    def _parts(self, depth: int) -> tuple[list[str], list[str], str]:
        """The shell cut at its markers, with URLs rebased for a page at `depth`."""
        html = _rebase(self.html, "../" * (depth - self.depth))
        before, after = html.split(CONTENT)
        return before.split(TITLE), after.split(TITLE), HEAD

    def fill(self, url: str, title: str, head: str, content: str) -> str:
        """The page at `url`. `title` and `head` must already be HTML-escaped."""
        if not url.startswith(self.url):
            raise ValueError(f"{url} is not below {self.url}")
        before, after, _ = self._parts(url.count("/"))
        top = title.join(before).replace(HEAD, head, 1)
        return f"{top}{content}{title.join(after)}"
