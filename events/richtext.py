"""Markdown for the binder's content pages: safe HTML to show, plain text to search.

Editors write Markdown, with a small subset of HTML allowed inside it. The
rendered HTML is always cleaned on the server by nh3 (the Ammonia sanitiser)
against an allowlist: no scripts, no event-handler attributes, no `style`, and
links only to http(s), mailto, tel or this site. No web imports here: the read
model uses `plain_text()` to index pages.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark",
    "small", "sub", "sup", "blockquote", "code", "pre", "ul", "ol", "li", "dl", "dt", "dd",
    "a", "table", "thead", "tbody", "tr", "th", "td", "caption", "details", "summary", "abbr",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# CommonMark with tables; raw HTML passes the parser and is then cleaned by nh3.
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")
# Page headings start at h2: the page title is the h1.
_HEADING = re.compile(r"<(/?)h1>")


@lru_cache(maxsize=512)
def to_html(source: str) -> str:
    """Safe HTML for a page body (cached: bodies are immutable revisions)."""
    rendered = _HEADING.sub(r"<\1h2>", _markdown.render(source))
    return nh3.clean(
        rendered,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def plain_text(source: str) -> str:
    """The words of a page body, without markup, for search and excerpts."""
    text = nh3.clean(to_html(source), tags=set())
    return re.sub(r"\s+", " ", html.unescape(text)).strip()
