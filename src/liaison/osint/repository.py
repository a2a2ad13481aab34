# SPDX-License-Identifier: Apache-2.0
"""OSINT queries for one principal.

Invariant: open-source rows (sources, articles, stories, entities, events, claims,
contradictions) are PUBLIC and read as they are; every statement over an analyst's rows
(``TechniqueTag``, ``Assessment``) starts from ``readable(stmt, principal, Model)``: the
policy inside the SQL, so a hidden tag or assessment is absent from every list, count and
lookup — never read first and hidden afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from liaison.kit.pagination import PageRequest, Sortable, paginate
from liaison.osint.models import (
    Article,
    ArticleEntity,
    Assessment,
    Claim,
    Contradiction,
    Entity,
    Event,
    Source,
    Story,
    TagStatus,
    TechniqueTag,
    WatchTerm,
)
from liaison.security.policy import readable
from liaison.security.principal import Principal

T = TypeVar("T")


class OsintRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    # open sources -------------------------------------------------------------------------
    def sources(self) -> Sequence[Source]:
        return self.session.scalars(select(Source).order_by(Source.name)).all()

    def source(self, source_id: int) -> Source | None:
        return self.session.get(Source, source_id)

    def source_named(self, name: str) -> Source | None:
        found: Source | None = self.session.scalar(select(Source).where(Source.name == name))
        return found

    def article(self, article_id: int) -> Article | None:
        return self.session.get(Article, article_id)

    def article_by(self, canonical_url: str | None, content_hash: str) -> Article | None:
        clauses = [Article.content_hash == content_hash]
        if canonical_url:
            clauses.append(Article.canonical_url == canonical_url)
        found: Article | None = self.session.scalar(select(Article).where(or_(*clauses)).limit(1))
        return found

    def pending(self, limit: int) -> Sequence[Article]:
        return self.session.scalars(
            select(Article)
            .where(Article.extracted.is_(False))
            .order_by(Article.published_on, Article.id)
            .limit(limit)
        ).all()

    def grouped_since(self, day: dt.date | None) -> Sequence[Article]:
        stmt = select(Article).where(Article.extracted.is_(True), Article.story_id.is_not(None))
        if day is not None:
            stmt = stmt.where(or_(Article.published_on.is_(None), Article.published_on >= day))
        return self.session.scalars(stmt.order_by(Article.published_on, Article.id)).all()

    def entity_names(self, article_ids: Sequence[int]) -> dict[int, set[str]]:
        rows = self.session.execute(
            select(ArticleEntity.article_id, Entity.name)
            .join(Entity, Entity.id == ArticleEntity.entity_id)
            .where(ArticleEntity.article_id.in_(article_ids))
        ).all()
        found: dict[int, set[str]] = {}
        for article_id, name in rows:
            found.setdefault(article_id, set()).add(name)
        return found

    def stories(self, page: PageRequest, query: str | None = None) -> tuple[list[Story], int]:
        stmt = select(Story)
        if query:
            like = f"%{query.lower()}%"
            stmt = stmt.where(
                Story.id.in_(
                    select(Article.story_id).where(
                        or_(
                            func.lower(Article.title).like(like),
                            func.lower(Article.text).like(like),
                        )
                    )
                )
            )
        return paginate(
            self.session, stmt.order_by(Story.first_published.desc(), Story.id.desc()), page
        )

    def story(self, story_id: int) -> Story | None:
        return self.session.get(Story, story_id)

    def _rows_in(
        self, model: type[T], column: Sortable, ids: Sequence[int], *order: Sortable
    ) -> Sequence[T]:
        """The ``model`` rows whose ``column`` is one of ``ids``, in ``order``."""
        return self.session.scalars(select(model).where(column.in_(ids)).order_by(*order)).all()

    def articles_of(self, story_ids: Sequence[int]) -> Sequence[Article]:
        return self._rows_in(Article, Article.story_id, story_ids, Article.published_on, Article.id)

    def events_of(self, article_ids: Sequence[int]) -> Sequence[Event]:
        return self._rows_in(Event, Event.article_id, article_ids, Event.date_start, Event.id)

    def claims_of(self, article_ids: Sequence[int]) -> Sequence[Claim]:
        return self._rows_in(Claim, Claim.article_id, article_ids, Claim.id)

    def entities_of(self, article_ids: Sequence[int]) -> list[tuple[Entity, int]]:
        rows = self.session.execute(
            select(Entity, func.sum(ArticleEntity.mentions))
            .join(ArticleEntity, ArticleEntity.entity_id == Entity.id)
            .where(ArticleEntity.article_id.in_(article_ids))
            .group_by(Entity.id)
            .order_by(func.sum(ArticleEntity.mentions).desc(), Entity.name)
        ).all()
        return [(e, int(n)) for e, n in rows]

    def contradictions_of(self, story_ids: Sequence[int]) -> Sequence[Contradiction]:
        by = (Contradiction.kind, Contradiction.id)
        return self._rows_in(Contradiction, Contradiction.story_id, story_ids, *by)

    def entity(self, entity_id: int) -> Entity | None:
        return self.session.get(Entity, entity_id)

    def stories_of_entity(self, entity_id: int) -> Sequence[Story]:
        return self.session.scalars(
            select(Story)
            .where(
                Story.id.in_(
                    select(Article.story_id)
                    .join(ArticleEntity, ArticleEntity.article_id == Article.id)
                    .where(ArticleEntity.entity_id == entity_id)
                )
            )
            .order_by(Story.first_published.desc(), Story.id.desc())
        ).all()

    def entity_by_name(self, name: str) -> Entity | None:
        found: Entity | None = self.session.scalar(
            select(Entity).where(func.lower(Entity.name) == name.strip().lower()).limit(1)
        )
        return found

    def search(self, query: str, limit: int) -> Sequence[Article]:
        like = f"%{query.lower()}%"
        return self.session.scalars(
            select(Article)
            .where(or_(func.lower(Article.title).like(like), func.lower(Article.text).like(like)))
            .order_by(Article.published_on.desc(), Article.id.desc())
            .limit(limit)
        ).all()

    # an analyst's rows: through the policy ---------------------------------------------------
    def _readable(self, stmt: Select[Any], model: type[Any]) -> Select[Any]:
        return readable(stmt, self.principal, model)

    def tags_of(self, story_ids: Sequence[int]) -> Sequence[TechniqueTag]:
        stmt = select(TechniqueTag).where(TechniqueTag.story_id.in_(story_ids))
        return self.session.scalars(
            self._readable(stmt, TechniqueTag).order_by(TechniqueTag.score.desc(), TechniqueTag.id)
        ).all()

    def tag(self, tag_id: int) -> TechniqueTag | None:
        stmt = self._readable(select(TechniqueTag).where(TechniqueTag.id == tag_id), TechniqueTag)
        found: TechniqueTag | None = self.session.scalar(stmt)
        return found

    def any_tags(self, story_id: int) -> dict[str, TechniqueTag]:
        """Every tag of a story whatever its marking: only for the suggester, which never
        shows them (it leaves a reviewed tag as the analyst left it)."""
        rows = self.session.scalars(select(TechniqueTag).where(TechniqueTag.story_id == story_id))
        return {t.technique_id: t for t in rows}

    def suggested(self, story_id: int) -> Sequence[TechniqueTag]:
        return self.session.scalars(
            select(TechniqueTag).where(
                TechniqueTag.story_id == story_id, TechniqueTag.status == TagStatus.SUGGESTED
            )
        ).all()

    def assessments(self, story_id: int | None = None) -> Sequence[Assessment]:
        stmt = select(Assessment)
        if story_id is not None:
            stmt = stmt.where(Assessment.story_id == story_id)
        return self.session.scalars(
            self._readable(stmt, Assessment).order_by(
                Assessment.created_at.desc(), Assessment.id.desc()
            )
        ).all()

    def find_assessments(self, query: str, limit: int) -> tuple[Sequence[Assessment], int]:
        """Readable assessments whose title or body holds ``query``, newest first, and how
        many there are (the count through the same policy)."""
        like = f"%{query.lower()}%"
        stmt = self._readable(
            select(Assessment).where(
                or_(func.lower(Assessment.title).like(like), func.lower(Assessment.body).like(like))
            ),
            Assessment,
        )
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.session.scalars(
            stmt.order_by(Assessment.created_at.desc(), Assessment.id.desc()).limit(limit)
        ).all()
        return rows, total

    def assessment(self, assessment_id: int) -> Assessment | None:
        stmt = self._readable(select(Assessment).where(Assessment.id == assessment_id), Assessment)
        found: Assessment | None = self.session.scalar(stmt)
        return found

    # a user's watch terms: the owner's only ----------------------------------------------------
    def watch_terms(self) -> Sequence[WatchTerm]:
        return self.session.scalars(
            select(WatchTerm)
            .where(WatchTerm.owner == self.principal.username)
            .order_by(WatchTerm.term)
        ).all()

    def watch_term(self, term_id: int) -> WatchTerm | None:
        found: WatchTerm | None = self.session.scalar(
            select(WatchTerm).where(
                WatchTerm.id == term_id, WatchTerm.owner == self.principal.username
            )
        )
        return found

    def hits(self, term: str, limit: int) -> tuple[int, Sequence[Article]]:
        like = f"%{term.lower()}%"
        where = or_(func.lower(Article.title).like(like), func.lower(Article.text).like(like))
        total = int(
            self.session.scalar(select(func.count()).select_from(Article).where(where)) or 0
        )
        rows = self.session.scalars(
            select(Article)
            .where(where)
            .order_by(Article.published_on.desc(), Article.id.desc())
            .limit(limit)
        ).all()
        return total, rows
