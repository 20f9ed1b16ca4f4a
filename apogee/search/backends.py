"""Ranked full-text matching over the search index, one implementation per database.

search_ids() answers (kind, object_id, rank) best first, rank higher-is-better. Every word
of the query must match the start of a word of the record (prefix match, AND). The query
is folded like the index (folding.py), which leaves only letters and digits: no quote,
star, parenthesis or operator of either query language can reach the database, and the
match expression is passed as a parameter, never spliced into the SQL.

SQLite: FTS5 MATCH, ranked by bm25 with a title match weighing ten body matches.
PostgreSQL: the stored weighted tsvector (title A, body D) @@ to_tsquery('simple', …),
ranked by ts_rank normalised by document length.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection

from .folding import query_tokens
from .models import Kind


class Hit(NamedTuple):
    kind: str
    object_id: int
    rank: float


def fts5_match(tokens: list[str]) -> str:
    """['zur', 'ruag'] → '"zur"* AND "ruag"*'. Each token is a quoted string: never an operator."""
    return " AND ".join(f'"{token}"*' for token in tokens)


def tsquery(tokens: list[str]) -> str:
    """['zur', 'ruag'] → "'zur':* & 'ruag':*"."""
    return " & ".join(f"'{token}':*" for token in tokens)


def search_ids(query: str, kinds: Iterable[str] | None = None, limit: int = 50, offset: int = 0) -> list[Hit]:
    tokens = query_tokens(query)
    kinds = list(Kind.values if kinds is None else kinds)
    if not tokens or not kinds or limit <= 0:
        return []
    unknown = set(kinds) - set(Kind.values)
    if unknown:
        raise ValueError(f"Unknown kinds: {sorted(unknown)}")
    if connection.vendor == "postgresql":
        return _postgresql(tokens, kinds, limit, offset)
    if connection.vendor == "sqlite":
        return _sqlite(tokens, kinds, limit, offset)
    raise NotImplementedError(f"No full-text search for {connection.vendor}")


# Constant SQL: the match expression and the kinds are parameters. Ranking every match is
# the cost of a common word; over all kinds the window is cut in FTS5 alone before the join,
# a filter on kinds needs the join first. rowid is search_document.id: ties break alike.
_SQLITE_ALL_KINDS = (
    "SELECT d.kind, d.object_id, f.score FROM ("
    " SELECT rowid, bm25(search_fts, 10.0, 1.0) AS score FROM search_fts"
    " WHERE search_fts MATCH %s ORDER BY score, rowid LIMIT %s OFFSET %s"
    ") AS f JOIN search_document d ON d.id = f.rowid ORDER BY f.score, f.rowid"
)
# The kinds always fill five placeholders (repeated if fewer).
_SQLITE_SOME_KINDS = (
    "SELECT d.kind, d.object_id, bm25(search_fts, 10.0, 1.0) AS score"
    " FROM search_fts JOIN search_document d ON d.id = search_fts.rowid"
    " WHERE search_fts MATCH %s AND d.kind IN (%s, %s, %s, %s, %s)"
    " ORDER BY score, d.id LIMIT %s OFFSET %s"
)
_POSTGRESQL_ALL_KINDS = (
    "SELECT d.kind, d.object_id, ts_rank(d.search_vector, q.query, 1) AS score"
    " FROM search_document d, to_tsquery('simple'::regconfig, %s) AS q(query)"
    " WHERE d.search_vector @@ q.query"
    " ORDER BY score DESC, d.id LIMIT %s OFFSET %s"
)
_POSTGRESQL_SOME_KINDS = (
    "SELECT d.kind, d.object_id, ts_rank(d.search_vector, q.query, 1) AS score"
    " FROM search_document d, to_tsquery('simple'::regconfig, %s) AS q(query)"
    " WHERE d.search_vector @@ q.query AND d.kind = ANY(%s)"
    " ORDER BY score DESC, d.id LIMIT %s OFFSET %s"
)


def _sqlite(tokens: list[str], kinds: list[str], limit: int, offset: int) -> list[Hit]:
    with connection.cursor() as cursor:
        if set(kinds) == set(Kind.values):
            cursor.execute(_SQLITE_ALL_KINDS, [fts5_match(tokens), limit, offset])
        else:
            padded = (kinds * len(Kind.values))[: len(Kind.values)]
            cursor.execute(_SQLITE_SOME_KINDS, [fts5_match(tokens), *padded, limit, offset])
        # bm25 is lower-is-better (negative); turned around so both databases rank alike.
        return [Hit(kind, object_id, -score) for kind, object_id, score in cursor.fetchall()]


def _postgresql(tokens: list[str], kinds: list[str], limit: int, offset: int) -> list[Hit]:
    with connection.cursor() as cursor:
        if set(kinds) == set(Kind.values):
            cursor.execute(_POSTGRESQL_ALL_KINDS, [tsquery(tokens), limit, offset])
        else:
            cursor.execute(_POSTGRESQL_SOME_KINDS, [tsquery(tokens), kinds, limit, offset])
        return [Hit(kind, object_id, float(score)) for kind, object_id, score in cursor.fetchall()]
