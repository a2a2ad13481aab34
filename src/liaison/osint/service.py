# SPDX-License-Identifier: Apache-2.0
"""OSINT use cases, for the API, the pages, the CLI and the jobs. Services never commit.

Invariants:
- open-source material is PUBLIC: anyone the routes admit reads sources, articles, stories,
  events, claims and contradictions; an analyst's technique tags and assessments are read
  through ``OsintRepository`` (the policy inside the SQL), and one the principal may not read
  is ``TagNotFound``/``AssessmentNotFound``, word for word the error of a missing id;
- every read of a tag or assessment above PUBLIC is audited in this transaction, one event
  per row; every write is audited with before/after, needs its permission
  (``osint:source:manage``, ``osint:assessment:write``), and a marking is parsed by the
  registry's resolver and must be one the writer may read (``security.readers``);
- reviewing a tag or publishing an assessment needs to read it first (a hidden one is a 404);
  a partner never re-marks a tag an ally reviewed, and only the author of an assessment or
  the alliance side publishes it;
- NLP, fetching and parsing never run here inside a request: ``jobs`` runs them outside any
  transaction and hands the results to ``store_analysis``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlalchemy.orm import Session

from liaison.audit.reads import record_reads
from liaison.audit.recorder import Entry, Marked, record_one, record_write
from liaison.errors import Conflict, Forbidden, InvalidInput, LiaisonError, NotFound
from liaison.kit.clock import utcnow
from liaison.kit.ids import MAX_ID, parse_id
from liaison.kit.pagination import PageRequest
from liaison.osint import dates, disarm, rules
from liaison.osint.errors import (
    ArticleNotFound,
    AssessmentNotFound,
    DuplicateArticle,
    DuplicateSource,
    SourceNotFound,
    StoryNotFound,
    TagNotFound,
    UnknownTechnique,
)
from liaison.osint.extract import ClaimFact, CountFact, EventFact, Extraction
from liaison.osint.ingest import Parsed, canonical_url
from liaison.osint.models import (
    Article,
    ArticleEntity,
    Assessment,
    Claim,
    Contradiction,
    ContradictionKind,
    Entity,
    Event,
    Granularity,
    Source,
    SourceKind,
    Story,
    TagStatus,
    TechniqueTag,
    WatchTerm,
)
from liaison.osint.repository import OsintRepository
from liaison.registry.marked import MarkedService
from liaison.security.classification import Classification
from liaison.security.markings import Marking, short
from liaison.security.models import OwnerSide
from liaison.security.permissions import Permission
from liaison.security.principal import Principal, Side
from liaison.security.writes import Owner, guard_right, guard_write, owner_for

PUBLIC = Marking(Classification.PUBLIC)
M = TypeVar("M", bound=Marked)


@dataclass(frozen=True, slots=True)
class StoryRow:
    story: Story
    outlets: list[str]
    countries: list[str]
    contradictions: int


@dataclass(slots=True)
class StoryDetail:
    story: Story
    articles: list[Article]
    events: list[Event]
    claims: list[Claim]
    entities: list[tuple[Entity, int]]
    contradictions: list[Contradiction]
    tags: list[tuple[TechniqueTag, Marking]]
    assessments: list[tuple[Assessment, Marking]]
    by_id: dict[int, Article] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Analysed:
    """What the jobs computed for one article outside any transaction."""

    article_id: int
    extraction: Extraction
    story_key: int  # an article id: the first article of its story
    reason: str
    copy_of: int | None
    copy_reason: str | None
    embedding: bytes | None = None  # osint.embed.to_bytes of its title and lede


class OsintService(MarkedService):
    def __init__(self, session: Session, principal: Principal) -> None:
        super().__init__(session, principal)
        self.repo = OsintRepository(session, principal)
        self._countries: dict[str, str | None] = {}

    # helpers ------------------------------------------------------------------------------
    def _audit(
        self,
        action: str,
        kind: str,
        ident: object,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """A write to an open-source row (no marking of its own)."""
        entry = Entry(f"osint:{kind}:{action}", f"osint_{kind}", str(ident), None, before, after)
        record_one(self.session, self.principal, entry)

    def _audit_write(
        self,
        action: str,
        kind: str,
        row: Marked,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> None:
        """A write to an analyst's marked row (a tag, an assessment), with its marking."""
        action = f"osint:{kind}:{action}"
        record_write(
            self.session,
            self.principal,
            action,
            row,
            before=before,
            after=after,
            object_type=f"osint_{kind}",
        )

    def _audit_reads(self, kind: str, rows: Sequence[Marked]) -> None:
        """Reads of tags or assessments: one event per row above PUBLIC."""
        action = f"osint:{kind}:read"
        record_reads(self.session, self.principal, action, rows, object_type=f"osint_{kind}")

    def _shown_one(self, kind: str, found: M | None, missing: NotFound) -> tuple[M, Marking]:
        """A tag or assessment the repository found readable (``missing`` when it did not),
        with its marking; the read audited."""
        if found is None:
            raise missing
        self._audit_reads(kind, [found])
        return found, self.markings.get(found.marking_id)

    def country(self, name: str) -> str | None:
        """ISO alpha-3 of a place name through the registry's resolver (None if unknown)."""
        if name not in self._countries:
            try:
                self._countries[name] = self.registry.country(name).iso3
            except LiaisonError:
                self._countries[name] = None
        return self._countries[name]

    def members_on(self, day: dt.date) -> int:
        return len(self.registry.members_on(day))

    def ruler_terms(self) -> tuple[list[str], list[tuple[str, str]]]:
        """Names of the allies and partners, and the frameworks, for the entity ruler."""
        names = [a.country.name for a in self.registry.members_on(dt.date.today())]  # noqa: DTZ011
        names += self.registry.partner_names()
        frameworks = [(f.code, f.name) for f in self.registry.frameworks()]
        return names, frameworks

    # sources -------------------------------------------------------------------------------
    def sources(self) -> Sequence[Source]:
        return self.repo.sources()

    def source(self, source_id: int) -> Source:
        found = self.repo.source(source_id) if 0 < source_id <= MAX_ID else None
        if found is None:
            raise SourceNotFound(source_id)
        return found

    def add_source(
        self,
        name: str,
        kind: SourceKind,
        url: str | None,
        outlet: str | None,
        poll_minutes: int = 60,
    ) -> Source:
        guard_right(self.principal, Permission.OSINT_SOURCE_MANAGE, Forbidden)
        name = " ".join(name.split())
        if not name:
            raise InvalidInput("a source needs a name", field="name")
        if kind is not SourceKind.FILES and canonical_url(url) is None:
            raise InvalidInput("a feed or page needs an http(s) URL", field="url")
        if self.repo.source_named(name) is not None:
            raise DuplicateSource(name)
        if not 5 <= poll_minutes <= 10_080:  # noqa: PLR2004 - five minutes to a week
            raise InvalidInput("poll every 5 to 10,080 minutes", field="poll_minutes")
        source = Source(
            name=name,
            kind=kind,
            url=url,
            outlet=outlet or name,
            poll_minutes=poll_minutes,
            created_by=self.principal.username,
        )
        self.session.add(source)
        self.session.flush()
        self._audit(
            "create", "source", source.id, after={"name": name, "kind": kind.value, "url": url}
        )
        return source

    def due_sources(self, now: dt.datetime) -> list[Source]:
        return [
            s
            for s in self.repo.sources()
            if s.kind is not SourceKind.FILES
            and (
                s.last_polled_at is None
                or s.last_polled_at + dt.timedelta(minutes=s.poll_minutes) <= now
            )
        ]

    def polled(
        self,
        source_id: int,
        *,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Record a poll of a source (the system's own write, by the job)."""
        source = self.source(source_id)
        source.last_polled_at = utcnow()
        source.last_error = error[:1000] if error else None
        if etag is not None or last_modified is not None:
            source.etag, source.last_modified = etag, last_modified
        self._audit("poll", "source", source.id, after={"error": source.last_error})

    # articles ------------------------------------------------------------------------------
    def store(
        self, parsed: Parsed, source: Source | None = None, outlet: str | None = None
    ) -> Article:
        """Store one parsed article; the same canonical URL or text again is a duplicate."""
        digest = parsed.content_hash
        found = self.repo.article_by(parsed.canonical_url, digest)
        if found is not None:
            why = (
                "same address"
                if parsed.canonical_url and found.canonical_url == parsed.canonical_url
                else "same text"
            )
            raise DuplicateArticle(f"{why} as article {found.id}")
        published = parsed.published
        article = Article(
            source_id=source.id if source else None,
            outlet=(parsed.outlet or outlet or (source.outlet if source else "unknown"))[:200],
            url=parsed.url,
            canonical_url=parsed.canonical_url,
            content_hash=digest,
            title=parsed.title[:500],
            author=(parsed.author or None) and parsed.author[:300] if parsed.author else None,
            text=parsed.text,
            published_on=published.start if published else None,
            published_granularity=Granularity(published.granularity) if published else None,
        )
        self.session.add(article)
        self.session.flush()
        self._audit(
            "create",
            "article",
            article.id,
            after={"title": article.title, "outlet": article.outlet, "url": article.canonical_url},
        )
        return article

    def article(self, article_id: int) -> Article:
        found = self.repo.article(article_id) if 0 < article_id <= MAX_ID else None
        if found is None:
            raise ArticleNotFound(article_id)
        return found

    def pending(self, limit: int) -> Sequence[Article]:
        """Articles not analysed yet, oldest first (the analysis job's next round)."""
        return self.repo.pending(limit)

    def grouped_since(self, day: dt.date | None) -> Sequence[Article]:
        """Articles already in a story, published since ``day`` or undated (the history the
        analysis job groups new articles against)."""
        return self.repo.grouped_since(day)

    def entity_names(self, article_ids: Sequence[int]) -> dict[int, set[str]]:
        return self.repo.entity_names(article_ids)

    def search(self, query: str, limit: int = 50) -> Sequence[Article]:
        query = query.strip()
        if not query:
            return []
        return self.repo.search(query[:200], limit)

    # analysis results ------------------------------------------------------------------------
    def store_analysis(
        self, results: Sequence[Analysed], embeddings: dict[int, bytes] | None = None
    ) -> set[int]:
        """Write extraction, story and copy decisions (and ``embeddings`` computed for
        earlier articles that had none); refresh each touched story's contradictions and
        DISARM suggestions. Returns the touched story ids."""
        stories: dict[int, int] = {}  # story key (article id) -> story id
        touched: set[int] = set()
        for article_id, vector in (embeddings or {}).items():
            if (earlier := self.repo.article(article_id)) is not None:
                earlier.embedding = vector
        for result in results:
            article = self.repo.article(result.article_id)
            if article is None:
                continue
            self._write_facts(article, result.extraction)
            story_id = self._story_for(result.story_key, article, stories)
            article.story_id = story_id
            article.story_reason = result.reason[:1000]
            article.copy_of_id = result.copy_of
            article.copy_reason = result.copy_reason
            article.embedding = result.embedding
            article.extracted = True
            touched.add(story_id)
        self.session.flush()
        for story_id in sorted(touched):
            self.refresh_story(story_id)
        return touched

    def _story_for(self, key: int, article: Article, made: dict[int, int]) -> int:
        if key in made:
            return made[key]
        first = self.repo.article(key)
        if first is not None and first.story_id is not None:
            made[key] = first.story_id
            return first.story_id
        story = Story(title=article.title, first_published=article.published_on, article_count=0)
        self.session.add(story)
        self.session.flush()
        self._audit("create", "story", story.id, after={"title": story.title})
        made[key] = story.id
        return story.id

    def _write_facts(self, article: Article, found: Extraction) -> None:
        for mention in found.entities:
            iso3 = mention.iso3 or (self.country(mention.name) if mention.kind == "GPE" else None)
            entity = self._entity(mention.kind, mention.name, iso3)
            self.session.add(
                ArticleEntity(article_id=article.id, entity_id=entity.id, mentions=mention.count)
            )
        for event in found.events:
            iso3 = event.place_iso3 or (self.country(event.place) if event.place else None)
            self.session.add(
                Event(
                    article_id=article.id,
                    kind=event.kind,
                    key=f"{event.kind}:{iso3 or event.place or ''}",
                    place=event.place,
                    participants=list(event.participants),
                    date_start=event.interval.start,
                    date_end=event.interval.end,
                    granularity=Granularity(event.interval.granularity),
                    date_text=event.date_text[:200],
                    sentence=event.sentence,
                )
            )
        for claim in found.claims:
            self.session.add(
                Claim(
                    article_id=article.id,
                    speaker=claim.speaker and claim.speaker[:300],
                    proposition=claim.proposition[:200],
                    stance=claim.stance,
                    sentence=claim.sentence,
                )
            )
        for count in found.counts:
            self.session.add(
                Claim(
                    article_id=article.id,
                    speaker=None,
                    proposition=count.fact,
                    stance=0,
                    count=count.value,
                    count_low=count.low,
                    count_high=None if count.high == float("inf") else count.high,
                    count_text=count.text[:200],
                    sentence=count.sentence,
                )
            )

    def _entity(self, kind: str, name: str, iso3: str | None) -> Entity:
        key = (kind, name[:300])
        cache: dict[tuple[str, str], Entity] = self.session.info.setdefault("osint.entities", {})
        if key in cache:
            return cache[key]
        from sqlalchemy import select  # noqa: PLC0415

        found = self.session.scalar(
            select(Entity).where(Entity.kind == kind, Entity.name == key[1])
        )
        if found is None:
            found = Entity(kind=kind, name=key[1], country_iso3=iso3)
            self.session.add(found)
            self.session.flush()
        cache[key] = found
        return found

    def facts_of(self, articles: Sequence[Article]) -> list[rules.Facts]:
        ids = [a.id for a in articles]
        events = self.repo.events_of(ids)
        claims = self.repo.claims_of(ids)
        out = []
        for article in articles:
            own_events = [
                EventFact(
                    e.kind,
                    e.place,
                    e.key.split(":", 1)[1] if len(e.key.split(":", 1)[1]) == 3 else None,  # noqa: PLR2004
                    tuple(e.participants),
                    dates.Interval(e.date_start, e.date_end, e.granularity.value),
                    e.date_text,
                    e.sentence,
                )
                for e in events
                if e.article_id == article.id
            ]
            own_claims = [
                ClaimFact(c.speaker, c.proposition, c.stance, c.sentence)
                for c in claims
                if c.article_id == article.id and c.count is None
            ]
            own_counts = [
                CountFact(
                    c.proposition,
                    c.count_low or 0.0,
                    c.count_high if c.count_high is not None else float("inf"),
                    c.count or 0,
                    c.count_text or "",
                    c.sentence,
                )
                for c in claims
                if c.article_id == article.id and c.count is not None
            ]
            out.append(
                rules.Facts(article.id, article.published_on, own_events, own_claims, own_counts)
            )
        return out

    def refresh_story(self, story_id: int) -> None:
        story = self.repo.story(story_id)
        if story is None:
            return
        articles = list(self.repo.articles_of([story_id]))
        originals = [a for a in articles if a.copy_of_id is None]
        facts = self.facts_of(originals)
        found = rules.within_story(facts)
        for item in facts:
            found.extend(rules.against_registry(item, self.members_on))
        by_id = {a.id: a for a in articles}
        self.session.execute(delete(Contradiction).where(Contradiction.story_id == story_id))
        for c in found:
            self.session.add(
                Contradiction(
                    story_id=story_id,
                    kind=ContradictionKind(c.kind),
                    subject=c.subject[:300],
                    left_ref=str(c.left),
                    right_ref=str(c.right or "registry"),
                    left_article_id=c.left,
                    right_article_id=c.right,
                    left_text=c.left_text,
                    right_text=c.right_text,
                    left_value=c.left_value[:200],
                    right_value=c.right_value[:200],
                )
            )
        story.article_count = len(articles)
        dated = [a.published_on for a in articles if a.published_on]
        story.first_published = min(dated) if dated else None
        story.title = (
            (by_id[originals[0].id] if originals else articles[0]).title
            if articles
            else story.title
        )
        story.updated_at = utcnow()
        self._suggest(story_id, "\n".join(f"{a.title}\n{a.text}" for a in originals))

    def _suggest(self, story_id: int, text: str) -> None:
        existing = self.repo.any_tags(story_id)
        marking_id = self.markings.intern(PUBLIC)
        wanted = disarm.suggest(text)
        keep = {s.technique.external_id for s in wanted}
        for old in self.repo.suggested(story_id):
            if old.technique_id not in keep:
                self.session.delete(old)
        for s in wanted:
            tag = existing.get(s.technique.external_id)
            if tag is None:
                self.session.add(
                    TechniqueTag(
                        story_id=story_id,
                        technique_id=s.technique.external_id,
                        status=TagStatus.SUGGESTED,
                        score=s.score,
                        reason=s.reason[:1000],
                        marking_id=marking_id,
                    )
                )
            elif tag.status is TagStatus.SUGGESTED:
                tag.score, tag.reason = s.score, s.reason[:1000]

    # stories -------------------------------------------------------------------------------
    def stories(self, page: PageRequest, query: str | None = None) -> tuple[list[StoryRow], int]:
        """Stories, newest first; ``query``: words in one of their articles."""
        rows, total = self.repo.stories(page, (query or "").strip()[:200] or None)
        ids = [s.id for s in rows]
        articles = self.repo.articles_of(ids)
        entities: dict[int, set[str]] = {}
        names = self.repo.entity_names([a.id for a in articles])
        for a in articles:
            entities.setdefault(a.story_id or 0, set()).update(names.get(a.id, set()))
        countries = self._countries_of(articles)
        open_counts: dict[int, int] = {}
        for c in self.repo.contradictions_of(ids):
            open_counts[c.story_id] = open_counts.get(c.story_id, 0) + 1
        out = []
        for s in rows:
            outlets = sorted({a.outlet for a in articles if a.story_id == s.id})
            out.append(
                StoryRow(s, outlets, sorted(countries.get(s.id, set())), open_counts.get(s.id, 0))
            )
        return out, total

    def _countries_of(self, articles: Sequence[Article]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for a in articles:
            for entity, _ in self.repo.entities_of([a.id]):
                if entity.country_iso3:
                    found.setdefault(a.story_id or 0, set()).add(entity.country_iso3)
        return found

    def story(self, story_id: int) -> StoryDetail:
        story = self.repo.story(story_id) if 0 < story_id <= MAX_ID else None
        if story is None:
            raise StoryNotFound(story_id)
        articles = list(self.repo.articles_of([story_id]))
        ids = [a.id for a in articles]
        tags = list(self.repo.tags_of([story_id]))
        assessments = list(self.repo.assessments(story_id))
        markings = self.markings.many(
            [t.marking_id for t in tags] + [a.marking_id for a in assessments]
        )
        detail = StoryDetail(
            story,
            articles,
            list(self.repo.events_of(ids)),
            list(self.repo.claims_of(ids)),
            self.repo.entities_of(ids),
            list(self.repo.contradictions_of([story_id])),
            [(t, markings[t.marking_id]) for t in tags],
            [(a, markings[a.marking_id]) for a in assessments],
            {a.id: a for a in articles},
        )
        self._audit_reads("tag", tags)
        self._audit_reads("assessment", assessments)
        return detail

    def entity_page(self, ref: str) -> tuple[Entity, list[Story], list[Event]]:
        ident = parse_id(ref)
        entity = self.repo.entity(ident) if ident is not None else None
        if entity is None:
            entity = self.repo.entity_by_name(ref)
        if entity is None:
            raise NotFound(f"no entity {ref!r}")
        stories = list(self.repo.stories_of_entity(entity.id))
        articles = self.repo.articles_of([s.id for s in stories])
        events = [
            e
            for e in self.repo.events_of([a.id for a in articles])
            if entity.name == e.place or entity.name in e.participants
        ]
        return entity, stories, events

    # tags ------------------------------------------------------------------------------------
    def tag(self, tag_id: int) -> tuple[TechniqueTag, Marking]:
        found = self.repo.tag(tag_id) if 0 < tag_id <= MAX_ID else None
        return self._shown_one("tag", found, TagNotFound(tag_id))

    def review_tag(self, tag_id: int, status: TagStatus, marking: str = "PUBLIC") -> TechniqueTag:
        """An analyst confirms or rejects a suggested technique and marks that judgement."""
        tag, old = self.tag(tag_id)
        guard_write(
            self.principal,
            Owner.of(tag.owner_side, tag.owner_organisation_id),
            old,
            Permission.OSINT_ASSESSMENT_WRITE,
            hidden=lambda: TagNotFound(tag_id),
            what="technique tag",
            refused=Forbidden,
        )
        if status is TagStatus.SUGGESTED:
            raise InvalidInput("review a tag as confirmed or rejected", field="status")
        new = self.marks.checked(marking)
        before = {"status": tag.status.value, "marking": short(old), "reviewed_by": tag.reviewed_by}
        tag.status, tag.reviewed_by = status, self.principal.username
        tag.marking_id = self.markings.intern(new)
        self.session.flush()
        after = {"status": status.value, "marking": short(new), "technique": tag.technique_id}
        self._audit_write("review", "tag", tag, before, after)
        return tag

    def add_tag(self, story_id: int, technique_id: str, marking: str = "PUBLIC") -> TechniqueTag:
        """An analyst tags a story with a technique no rule suggested (confirmed at once)."""
        guard_right(self.principal, Permission.OSINT_ASSESSMENT_WRITE, Forbidden)
        self.story(story_id)
        technique = disarm.technique(technique_id)
        if technique is None:
            raise UnknownTechnique(technique_id)
        if technique.external_id in self.repo.any_tags(story_id):
            raise Conflict(f"the story already has a tag for {technique.external_id}")
        new = self.marks.checked(marking)
        owner = owner_for(self.principal)
        tag = TechniqueTag(
            story_id=story_id,
            technique_id=technique.external_id,
            status=TagStatus.CONFIRMED,
            score=1.0,
            reason="added by an analyst",
            reviewed_by=self.principal.username,
            marking_id=self.markings.intern(new),
            owner_side=OwnerSide(owner.side.value),
            owner_organisation_id=owner.organisation_id,
        )
        self.session.add(tag)
        self.session.flush()
        after = {"technique": tag.technique_id, "marking": short(new)}
        self._audit_write("create", "tag", tag, None, after)
        return tag

    # watch terms ---------------------------------------------------------------------------
    def watch_terms(self) -> list[tuple[WatchTerm, int, list[Article]]]:
        """The principal's own watch terms, each with its number of hits and the latest five."""
        out = []
        for term in self.repo.watch_terms():
            total, latest = self.repo.hits(term.term, 5)
            out.append((term, total, list(latest)))
        return out

    def add_watch_term(self, term: str) -> WatchTerm:
        if not self.principal.authenticated:
            raise Forbidden("log in to watch terms")
        term = " ".join(term.split())
        if not 2 <= len(term) <= 100:  # noqa: PLR2004
            raise InvalidInput("a watch term has 2 to 100 characters", field="term")
        if any(t.term.lower() == term.lower() for t in self.repo.watch_terms()):
            raise Conflict(f"you already watch {term!r}")
        row = WatchTerm(owner=self.principal.username, term=term, created_at=utcnow())
        self.session.add(row)
        self.session.flush()
        self._audit("create", "watch_term", row.id, after={"term": term})
        return row

    def remove_watch_term(self, term_id: int) -> None:
        row = self.repo.watch_term(term_id) if 0 < term_id <= MAX_ID else None
        if row is None:
            raise NotFound(f"no watch term {term_id}")
        self._audit("delete", "watch_term", row.id, before={"term": row.term})
        self.session.delete(row)

    # assessments -----------------------------------------------------------------------------
    def find_assessments(
        self, query: str, limit: int
    ) -> tuple[list[tuple[Assessment, Marking]], int]:
        """The one search's assessments: readable ones only (hidden ones are absent from the
        hits and the count); each read above PUBLIC audited."""
        rows, total = self.repo.find_assessments(query[:200], limit)
        found = [(r, self.markings.get(r.marking_id)) for r in rows]
        self._audit_reads("assessment", rows)
        return found, total

    def assessments(self) -> list[tuple[Assessment, Marking]]:
        rows = list(self.repo.assessments())
        markings = self.markings.many(a.marking_id for a in rows)
        out = [(a, markings[a.marking_id]) for a in rows]
        self._audit_reads("assessment", rows)
        return out

    def assessment(self, assessment_id: int) -> tuple[Assessment, Marking]:
        found = self.repo.assessment(assessment_id) if 0 < assessment_id <= MAX_ID else None
        return self._shown_one("assessment", found, AssessmentNotFound(assessment_id))

    def create_assessment(
        self, story_id: int, title: str, body: str, marking: str, confidence: int = 50
    ) -> Assessment:
        guard_right(self.principal, Permission.OSINT_ASSESSMENT_WRITE, Forbidden)
        self.story(story_id)
        title = " ".join(title.split())
        if not title or len(title) > 300:  # noqa: PLR2004
            raise InvalidInput("a title of 1 to 300 characters", field="title")
        if not body.strip() or len(body) > 100_000:  # noqa: PLR2004
            raise InvalidInput("a body of 1 to 100,000 characters", field="body")
        if not 0 <= confidence <= 100:  # noqa: PLR2004
            raise InvalidInput("confidence is 0 to 100", field="confidence")
        new = self.marks.checked(marking)
        row = Assessment(
            story_id=story_id,
            title=title,
            body=body.strip(),
            confidence=confidence,
            created_by=self.principal.username,
            marking_id=self.markings.intern(new),
        )
        self.session.add(row)
        self.session.flush()
        after = {"title": title, "story": story_id, "marking": short(new)}
        self._audit_write("create", "assessment", row, None, after)
        return row

    def report_objects(self, assessment: Assessment, marking: Marking) -> list[dict[str, Any]]:
        """The STIX 2.1 objects of an assessment: its marking-definition, a report naming the
        confirmed DISARM techniques, the story's countries and its outlets, all marked."""
        from liaison.sharing import stix  # noqa: PLC0415 - the sharing hub's public helpers

        plain = Marking(marking.level, marking.releasable_to, marking.caveats, marking.communities)
        refs = [stix.liaison_marking_id(plain)]
        if marking.tlp is not None:
            refs.append(stix.TLP2_IDS[marking.tlp])
        now = stix.format_datetime(utcnow())
        common = {
            "spec_version": "2.1",
            "created": now,
            "modified": now,
            "object_marking_refs": refs,
        }
        detail = self.story(assessment.story_id)
        objects: list[dict[str, Any]] = [stix.liaison_marking_definition(plain, short(plain))]
        for tag, tag_marking in detail.tags:
            technique = disarm.technique(tag.technique_id)
            if (
                tag.status is not TagStatus.CONFIRMED
                or technique is None
                or not can_read_all(marking, tag_marking)
            ):
                continue
            objects.append(
                {
                    "type": "attack-pattern",
                    "id": f"attack-pattern--{uuid.uuid4()}",
                    **common,
                    "name": technique.name,
                    "external_references": [
                        {
                            "source_name": "DISARM",
                            "external_id": technique.external_id,
                            "description": disarm.ATTRIBUTION,
                            **({"url": technique.url} if technique.url else {}),
                        }
                    ],
                }
            )
        countries = sorted({e.country_iso3 for e, _ in detail.entities if e.country_iso3})
        for iso3 in countries:
            iso2 = self._iso2(iso3)
            if iso2:
                objects.append(
                    {
                        "type": "location",
                        "id": f"location--{uuid.uuid4()}",
                        **common,
                        "name": iso3,
                        "country": iso2,
                    }
                )
        for outlet in sorted({a.outlet for a in detail.articles}):
            objects.append(  # noqa: PERF401
                {
                    "type": "identity",
                    "id": f"identity--{uuid.uuid4()}",
                    **common,
                    "name": outlet,
                    "identity_class": "organization",
                }
            )
        report = {
            "type": "report",
            "id": f"report--{uuid.uuid4()}",
            **common,
            "name": assessment.title,
            "description": assessment.body,
            "published": now,
            "report_types": ["threat-report"],
            "confidence": assessment.confidence,
            "object_refs": [o["id"] for o in objects[1:]] or [objects[0]["id"]],
            "external_references": [{"source_name": "DISARM", "description": disarm.ATTRIBUTION}],
        }
        return [*objects, report]

    def _iso2(self, iso3: str) -> str | None:
        try:
            return self.registry.country(iso3).iso2
        except LiaisonError:
            return None

    def publish(self, assessment_id: int, collection: str, sharing: Any) -> str:  # noqa: ANN401 - a SharingService
        """Post the assessment's report into a sharing collection (the hub's own checks:
        the collection must be writable by the caller)."""
        guard_right(self.principal, Permission.OSINT_ASSESSMENT_WRITE, Forbidden)
        row, marking = self.assessment(assessment_id)
        if row.created_by != self.principal.username and self.principal.side is not Side.ALLY:
            raise Forbidden("only its author or the alliance side publishes an assessment")
        objects = self.report_objects(row, marking)
        outcome = sharing.post(collection, objects)
        status = outcome.status
        if status.failure_count:
            failures = "; ".join(f["message"] for f in status.failures[:3])
            raise InvalidInput(
                f"the sharing hub refused the report: {failures}", field="collection"
            )
        report_id = str(objects[-1]["id"])
        before = {"stix_id": row.stix_id, "collection": row.collection}
        row.stix_id, row.collection = report_id, collection[:100]
        row.published = {"objects": len(objects), "at": objects[-1]["created"]}
        after = {"stix_id": report_id, "collection": collection}
        self._audit_write("publish", "assessment", row, before, after)
        return report_id


def can_read_all(container: Marking, item: Marking) -> bool:
    """An item goes into a report only when the report's marking covers it (a reader of the
    report may read it): same or higher level, no wider releasability."""
    from liaison.documents.rules import is_lower  # noqa: PLC0415

    return not is_lower(item, container)
