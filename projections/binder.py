"""The binder's read model: the page lists, the guide page for each BTI level,
and search over the published pages.

Content pages hold no personal data (editors are told so), so the published
text is kept here in clear, for excerpts. Search is a word-prefix index: every
published word is stored with each of its prefixes (2 letters and up), so a
query is an indexed equality look-up on both stores, whatever their collation.
Drafts are never indexed.
"""

from __future__ import annotations

import re
from functools import singledispatchmethod
from typing import Any

from events.binder import BinderPage
from events.richtext import plain_text
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

MIN_TERM = 2
MAX_TERM = 40
MAX_QUERY_WORDS = 8


def words(text: str) -> list[str]:
    """The searchable words of a text, folded to lower case."""
    return [w for w in re.findall(r"\w+", text.casefold()) if len(w) >= MIN_TERM]


def prefixes(text: str) -> set[str]:
    """Every prefix (2 letters and up) of every word: what a query word can match."""
    return {w[:n] for w in words(text) for n in range(MIN_TERM, min(len(w), MAX_TERM) + 1)}


class BinderTables(ViewTables):
    name = "binder"
    tables = {
        "pages": "id TEXT PRIMARY KEY, slug TEXT NOT NULL, section TEXT NOT NULL, level INTEGER, "
        "form TEXT, unit_id TEXT, title TEXT NOT NULL, latest_no INTEGER NOT NULL, "
        "published {bool} NOT NULL DEFAULT 0, published_no INTEGER, published_title TEXT, text TEXT, "
        "updated_at TEXT NOT NULL, published_at TEXT",
        "terms": "term TEXT NOT NULL, page_id TEXT NOT NULL, PRIMARY KEY (term, page_id)",
    }
    indexes = (
        "CREATE UNIQUE INDEX IF NOT EXISTS binder_pages_slug ON {pages} (slug)",
        "CREATE INDEX IF NOT EXISTS binder_pages_section ON {pages} (section, published, level, title)",
        "CREATE INDEX IF NOT EXISTS binder_pages_guide ON {pages} (section, level, published)",
        "CREATE INDEX IF NOT EXISTS binder_terms_page ON {terms} (page_id)",
    )

    # -- queries ---------------------------------------------------------------------------
    def section_pages(self, section: str, drafts: bool, offset: int, limit: int) -> list[dict]:
        """A section's pages; with `drafts`, unpublished ones too (editors)."""
        return self._rows(
            "SELECT slug, section, level, form, unit_id, title, published_title, published, "
            "published_no, latest_no, updated_at FROM {pages} WHERE section = ? AND published >= ? "
            "ORDER BY COALESCE(level, -1), title, slug LIMIT ? OFFSET ?",
            (section, 0 if drafts else 1, limit, offset),
        )

    # Each level's published action-guide page, as `guide_slug` chooses it.
    GUIDE_SLUGS = ("SELECT level, min(slug) AS slug FROM {pages} WHERE section = 'guide' AND published = 1 "
                   "GROUP BY level")

    def guide_slug(self, level: int) -> str | None:
        """The published action-guide page for a BTI level, if there is one."""
        row = self.fetchone(
            "SELECT slug FROM {pages} WHERE section = 'guide' AND level = ? AND published = 1 "
            "ORDER BY slug LIMIT 1", (level,))
        return row["slug"] if row else None

    def search(self, query: str, offset: int, limit: int) -> list[dict]:
        """Published pages holding every word of `query` (as a word or word prefix)."""
        terms = list(dict.fromkeys(w[:MAX_TERM] for w in words(query)))[:MAX_QUERY_WORDS]
        if not terms:
            return []
        marks = ", ".join("?" for _ in terms)
        return self._rows(
            "SELECT p.slug, p.section, p.level, p.published_title AS title, p.text FROM {pages} p "
            f"JOIN (SELECT page_id FROM {{terms}} WHERE term IN ({marks}) GROUP BY page_id "
            "HAVING COUNT(*) = ?) hit ON hit.page_id = p.id WHERE p.published = 1 "
            "ORDER BY p.published_title, p.slug LIMIT ? OFFSET ?",
            (*terms, len(terms), limit, offset),
        )



class SQLiteBinderView(BinderTables, SQLiteView):
    pass


class PostgresBinderView(BinderTables, PostgresView):
    pass


class BinderProjection(Projection):
    name = "binder"
    views = (SQLiteBinderView, PostgresBinderView)


    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: BinderPage.Created, c: Any) -> None:
        c.execute(
            self.view.sql("INSERT INTO {pages} (id, slug, section, level, form, unit_id, title, latest_no, "
                          "published, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 0, ?)"),
            (str(event.originator_id), event.slug, event.section, event.level, event.form,
             None if event.unit_id is None else str(event.unit_id), event.title, event.timestamp.isoformat()),
        )

    @process.register
    def _(self, event: BinderPage.Edited, c: Any) -> None:
        c.execute(
            self.view.sql("UPDATE {pages} SET title = ?, latest_no = latest_no + 1, updated_at = ? WHERE id = ?"),
            (event.title, event.timestamp.isoformat(), str(event.originator_id)),
        )

    @process.register
    def _(self, event: BinderPage.Published, c: Any) -> None:
        page_id = str(event.originator_id)
        text = plain_text(event.body)
        c.execute(
            self.view.sql("UPDATE {pages} SET published = 1, published_no = ?, published_title = ?, text = ?, "
                          "published_at = ?, updated_at = ? WHERE id = ?"),
            (event.no, event.title, text, event.timestamp.isoformat(), event.timestamp.isoformat(), page_id),
        )
        c.execute(self.view.sql("DELETE FROM {terms} WHERE page_id = ?"), (page_id,))
        c.executemany(
            self.view.sql("INSERT INTO {terms} (term, page_id) VALUES (?, ?)"),
            [(term, page_id) for term in sorted(prefixes(f"{event.title} {text}"))],
        )

    @process.register
    def _(self, event: BinderPage.Unpublished, c: Any) -> None:
        page_id = str(event.originator_id)
        c.execute(
            self.view.sql("UPDATE {pages} SET published = 0, published_no = NULL, published_title = NULL, "
                          "text = NULL, published_at = NULL, updated_at = ? WHERE id = ?"),
            (event.timestamp.isoformat(), page_id),
        )
        c.execute(self.view.sql("DELETE FROM {terms} WHERE page_id = ?"), (page_id,))
