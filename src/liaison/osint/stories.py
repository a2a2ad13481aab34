# SPDX-License-Identifier: Apache-2.0
"""Stories, incrementally: a new article is a copy of one already seen, joins a story, or
starts one; each decision carries its reason (pure: no database, no web).

- **Copies** (syndication, truncation): MinHash over 5-word shingles (datasketch, 128
  permutations) finds candidates through LSH at a low threshold; a candidate is a copy when
  the exact shingle Jaccard is at least ``COPY_JACCARD`` or when one text is contained in the
  other at ``COPY_CONTAINMENT`` or more (a truncated copy keeps most of its shingles inside
  the original, while its Jaccard falls with its length).
- **Grouping** (``HYBRID``, the default): text similarity and meaning must agree. The
  candidates are the earlier articles (within ``WINDOW_DAYS``) sharing most salient TF-IDF
  terms and the nearest by MiniLM embedding; the best (text cosine + half the embedding
  cosine + shared entities) joins when its text cosine is enough as for ``TFIDF`` and its
  embedding cosine at least ``HYBRID_EMBEDDING_FLOOR``, or its embedding cosine is enough as
  for ``EMBEDDING`` and its text cosine at least ``HYBRID_TEXT_FLOOR``. On generated articles
  (templated titles, a vocabulary per story) the embeddings alone join different stories and
  TF-IDF alone joins stories that share templates; each vetoes the other's mistakes
  (docs/model/osint.md has the figures).
- **Grouping** (``EMBEDDING``, kept for comparison): MiniLM sentence embeddings
  (``osint.embed``) of the title and the lede (the first ``LEDE_CHARS`` characters), cosine
  against every earlier article published within ``WINDOW_DAYS`` (one matrix product), plus
  the overlap of named entities. An article joins the story of its best match when the
  cosine reaches ``JOIN_EMBEDDING``, or ``JOIN_EMBEDDING_WITH_ENTITIES`` with at least
  ``SHARED_ENTITIES`` shared entities; else it starts a story.
- **Grouping** (``TFIDF``, kept for comparison): TF-IDF vectors (hashed terms, sublinear tf,
  a smoothed IDF; stored vectors are refreshed each time the number of articles doubles) and
  cosine similarity against earlier articles that share a salient term (an inverted index of
  each article's top terms), plus entities and dates as above, with ``JOIN_COSINE`` and
  ``JOIN_WITH_ENTITIES`` (three entities).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from liaison.osint import embed

SHINGLE = 5
PERMUTATIONS = 128
COPY_JACCARD = 0.8
COPY_CONTAINMENT = 0.9
LSH_THRESHOLD = 0.4
JOIN_COSINE = 0.28
JOIN_WITH_ENTITIES = 0.24
JOIN_EMBEDDING = 0.65
JOIN_EMBEDDING_WITH_ENTITIES = 0.58
SHARED_ENTITIES = 2
LEDE_CHARS = 200  # what is embedded: the title and the lede (the cost grows with the length)
HYBRID_EMBEDDING_FLOOR = 0.5  # hybrid: a text-similarity join also needs this embedding cosine
HYBRID_TEXT_FLOOR = 0.2  # hybrid: an embedding join also needs this text similarity
HYBRID = "hybrid"
EMBEDDING = "embedding"
TFIDF = "tfidf"
METHODS = (HYBRID, EMBEDDING, TFIDF)
WINDOW_DAYS = 60
TOP_TERMS = 20  # an article's terms in the inverted index
VECTOR_TERMS = 150  # terms kept in a vector (the heaviest), bounding time and memory
CANDIDATES = 50  # earlier articles compared by cosine, those sharing most top terms
CANDIDATES_EMBEDDING = 10  # the nearest by embedding, re-ranked with their shared entities
DIMENSIONS = 1 << 20
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
STOP = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "against",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "said",
        "says",
        "say",
        "told",
        "year",
        "years",
        "week",
        "new",
        "one",
        "two",
        "three",
        "four",
        "first",
        "last",
        "next",
        "per",
        "cent",
    ]
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str) -> set[bytes]:
    tokens = words(text)
    if len(tokens) < SHINGLE:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


def minhash(items: set[bytes]) -> Any:  # noqa: ANN401 - a datasketch MinHash
    from datasketch import MinHash  # noqa: PLC0415 - numpy and scipy, only where grouping runs

    # CRC-32 instead of datasketch's SHA-1 per shingle: a third of the time; signatures live
    # only in memory, so nothing stored depends on the hash
    found = MinHash(num_perm=PERMUTATIONS, hashfunc=_crc32)
    found.update_batch(list(items))
    return found


def embedding_text(title: str, text: str) -> str:
    """What an article's embedding is computed from: its title and lede."""
    return f"{title}\n{text[:LEDE_CHARS]}"


Embedder = Callable[[Sequence[str]], "embed.Vectors"]


@dataclass(slots=True)
class Item:
    """What grouping needs of an article."""

    key: int
    text: str
    title: str
    entities: frozenset[str]
    published: dt.date | None
    vector: Any = None  # its embedding (``embed.DIMENSIONS`` floats), else computed on ``add``


@dataclass(frozen=True, slots=True)
class Decision:
    key: int
    story: int  # a story key: the key of the story's first article
    copy_of: int | None
    reason: str
    copy_reason: str | None = None


@dataclass(slots=True)
class _Seen:
    item: Item
    vector: dict[int, float]
    terms: Counter[int]
    shingles: set[bytes]
    signature: Any
    story: int
    top: list[int] = field(default_factory=list)


class Grouper:
    """The incremental grouping state: feed articles in publication order with ``add``.

    ``method`` is ``HYBRID`` or ``EMBEDDING`` (both MiniLM; ``embedder`` defaults to the
    packaged model) or ``TFIDF``. Callers that hold many articles embed them in batches
    first (``embed_items``)."""

    def __init__(self, method: str = HYBRID, embedder: Embedder | None = None) -> None:
        from datasketch import MinHashLSH  # noqa: PLC0415

        if method not in METHODS:
            raise ValueError(f"unknown grouping method {method!r}")
        self.method = method
        self.embedder: Embedder = embedder or embed.embed
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=PERMUTATIONS)
        self.seen: dict[int, _Seen] = {}
        self.df: Counter[int] = Counter()
        self.documents = 0
        self.postings: defaultdict[int, list[int]] = defaultdict(list)
        self.originals: dict[int, int] = {}  # a copy's key -> its original's
        # embeddings of the articles seen, row i is self.keys[i]; days as ordinals (NaN: none)
        self.matrix = np.zeros((256, embed.DIMENSIONS), dtype=np.float32)
        self.days = np.zeros(256, dtype=np.float64)
        self.keys: list[int] = []

    def embed_items(self, items: Sequence[Item]) -> list[Item]:
        """``items`` with their embeddings, computed in one batch where missing."""
        if self.method == TFIDF:
            return list(items)
        missing = [i for i in items if i.vector is None]
        if not missing:
            return list(items)
        vectors = self.embedder([embedding_text(i.title, i.text) for i in missing])
        done = {i.key: v for i, v in zip(missing, vectors, strict=True)}
        return [
            i
            if i.vector is not None
            else Item(i.key, i.text, i.title, i.entities, i.published, done[i.key])
            for i in items
        ]

    def add(self, item: Item, story: int | None = None) -> Decision:
        """Decide for ``item`` (or, with ``story``, record a decision taken before)."""
        items = shingles(item.text)
        signature = minhash(items)
        terms: Counter[int] = Counter()
        vector: dict[int, float] = {}
        if self.method != EMBEDDING:
            terms = _terms(item.title + "\n" + item.text)
            for term in terms:
                self.df[term] += 1
            vector = self._vector(terms)
        if self.method != TFIDF:
            (item,) = self.embed_items([item])
        self.documents += 1
        decision = (
            Decision(item.key, story, None, "stored earlier")
            if story is not None
            else self._decide(item, items, signature, vector)
        )
        if decision.copy_of is not None:
            self.originals[item.key] = decision.copy_of
        top: list[int] = []
        if self.method != EMBEDDING:
            top = sorted(vector, key=vector.__getitem__, reverse=True)[:TOP_TERMS]
            if self.documents & (self.documents - 1) == 0:  # a power of two: refresh the IDF
                for seen in self.seen.values():
                    seen.vector = self._vector(seen.terms)
            for term in top:
                self.postings[term].append(item.key)
        if self.method != TFIDF:
            self._remember(item)
        self.seen[item.key] = _Seen(item, vector, terms, items, signature, decision.story, top)
        self.lsh.insert(str(item.key), signature)
        return decision

    def _remember(self, item: Item) -> None:
        row = len(self.keys)
        if row == len(self.matrix):
            self.matrix = np.concatenate([self.matrix, np.zeros_like(self.matrix)])
            self.days = np.concatenate([self.days, np.zeros_like(self.days)])
        self.matrix[row] = item.vector
        self.days[row] = item.published.toordinal() if item.published else np.nan
        self.keys.append(item.key)

    def _decide(
        self,
        item: Item,
        items: set[bytes],
        signature: Any,  # noqa: ANN401 - a datasketch MinHash
        vector: dict[int, float],
    ) -> Decision:
        copy = self._copy(items, signature)
        if copy is not None:
            original, why = copy
            story = self.seen[original].story
            return Decision(item.key, story, original, f"copy of article {original}: {why}", why)
        if self.method == EMBEDDING:
            return self._decide_by_embedding(item)
        if self.method == HYBRID:
            return self._decide_by_both(item, vector)
        best, score, shared = self._nearest(item, vector)
        if best is not None:
            other = self.seen[best]
            names = ", ".join(sorted(shared)[:5]) or "none"
            enough = score >= JOIN_COSINE or (score >= JOIN_WITH_ENTITIES and len(shared) >= 3)  # noqa: PLR2004
            if enough:
                reason = (
                    f"like article {best} ({other.item.title[:80]!r}): text similarity "
                    f"{score:.2f}, shared entities: {names}"
                )
                return Decision(item.key, other.story, None, reason)
            reason = (
                f"new story: the closest article, {best}, has text similarity {score:.2f} "
                f"and shares {len(shared)} entities (needs {JOIN_COSINE:.2f}, or "
                f"{JOIN_WITH_ENTITIES:.2f} with three shared entities)"
            )
            return Decision(item.key, item.key, None, reason)
        return Decision(
            item.key, item.key, None, "new story: no earlier article shares a salient term"
        )

    def _decide_by_embedding(self, item: Item) -> Decision:
        count = len(self.keys)
        if not count:
            return Decision(item.key, item.key, None, "new story: the first article")
        scores = self.matrix[:count] @ np.asarray(item.vector, dtype=np.float32)
        if item.published is not None:
            apart = np.abs(self.days[:count] - item.published.toordinal())
            scores = np.where(apart > WINDOW_DAYS, -1.0, scores)  # NaN (undated) stays
        ranked = np.argsort(-scores)[:CANDIDATES_EMBEDDING]
        best: tuple[float, int, float, set[str]] | None = None
        for row in ranked:
            score = float(scores[row])
            if score < JOIN_EMBEDDING_WITH_ENTITIES - 0.05:
                break
            key = self.keys[row]
            shared = set(item.entities & self.seen[key].item.entities)
            rank = score + 0.02 * min(len(shared), 5)
            if best is None or rank > best[0]:
                best = (rank, key, score, shared)
        if best is None:
            top = float(scores[ranked[0]]) if len(ranked) else 0.0
            return Decision(
                item.key,
                item.key,
                None,
                f"new story: no earlier article within {WINDOW_DAYS} days is close "
                f"(best embedding similarity {top:.2f}, needs {JOIN_EMBEDDING:.2f})",
            )
        _, key, score, shared = best
        other = self.seen[key]
        names = ", ".join(sorted(shared)[:5]) or "none"
        enough = score >= JOIN_EMBEDDING or (
            score >= JOIN_EMBEDDING_WITH_ENTITIES and len(shared) >= SHARED_ENTITIES
        )
        when = _apart(item.published, other.item.published)
        if enough:
            reason = (
                f"like article {key} ({other.item.title[:80]!r}): embedding similarity "
                f"{score:.2f}, shared entities: {names}{when}"
            )
            return Decision(item.key, other.story, None, reason)
        reason = (
            f"new story: the closest article, {key}, has embedding similarity {score:.2f} "
            f"and shares {len(shared)} entities (needs {JOIN_EMBEDDING:.2f}, or "
            f"{JOIN_EMBEDDING_WITH_ENTITIES:.2f} with {SHARED_ENTITIES} shared entities)"
        )
        return Decision(item.key, item.key, None, reason)

    def _decide_by_both(self, item: Item, vector: dict[int, float]) -> Decision:
        """Text similarity and embedding must agree: the candidates are the earlier articles
        sharing most salient terms and the nearest by embedding (within ``WINDOW_DAYS``); the
        best joins when its text similarity is enough (as ``TFIDF``) and its embedding
        similarity at least ``HYBRID_EMBEDDING_FLOOR``, or its embedding similarity is enough
        (as ``EMBEDDING``) and its text similarity at least ``HYBRID_TEXT_FLOOR``."""
        here = np.asarray(item.vector, dtype=np.float32)
        candidates = dict.fromkeys(self._sharing_terms(vector))
        count = len(self.keys)
        if count:
            scores = self.matrix[:count] @ here
            candidates.update(
                dict.fromkeys(self.keys[r] for r in np.argsort(-scores)[:CANDIDATES_EMBEDDING])
            )
        best: tuple[float, int, float, float, set[str]] | None = None
        for key in candidates:
            other = self.seen[key]
            if not _near_in_time(item.published, other.item.published):
                continue
            text = _cosine(vector, other.vector)
            meaning = float(np.dot(np.asarray(other.item.vector, dtype=np.float32), here))
            shared = set(item.entities & other.item.entities)
            rank = text + 0.5 * meaning + 0.02 * min(len(shared), 5)
            if best is None or rank > best[0]:
                best = (rank, key, text, meaning, shared)
        if best is None:
            return Decision(
                item.key, item.key, None, "new story: no earlier article shares a salient term"
            )
        _, key, text, meaning, shared = best
        other = self.seen[key]
        names = ", ".join(sorted(shared)[:5]) or "none"
        by_text = text >= JOIN_COSINE or (text >= JOIN_WITH_ENTITIES and len(shared) >= 3)  # noqa: PLR2004
        by_meaning = meaning >= JOIN_EMBEDDING or (
            meaning >= JOIN_EMBEDDING_WITH_ENTITIES and len(shared) >= SHARED_ENTITIES
        )
        figures = f"text similarity {text:.2f}, embedding similarity {meaning:.2f}"
        if (by_text and meaning >= HYBRID_EMBEDDING_FLOOR) or (
            by_meaning and text >= HYBRID_TEXT_FLOOR
        ):
            reason = (
                f"like article {key} ({other.item.title[:80]!r}): {figures}, shared entities: "
                f"{names}{_apart(item.published, other.item.published)}"
            )
            return Decision(item.key, other.story, None, reason)
        reason = (
            f"new story: the closest article, {key}, has {figures} and shares {len(shared)} "
            f"entities (needs text {JOIN_COSINE:.2f} and embedding "
            f"{HYBRID_EMBEDDING_FLOOR:.2f}, or embedding {JOIN_EMBEDDING:.2f} and text "
            f"{HYBRID_TEXT_FLOOR:.2f})"
        )
        return Decision(item.key, item.key, None, reason)

    def _copy(self, items: set[bytes], signature: Any) -> tuple[int, str] | None:  # noqa: ANN401
        best: tuple[float, int, str] | None = None
        for key in self.lsh.query(signature):
            other = self.seen[int(key)]
            estimate = signature.jaccard(other.signature)
            smaller, larger = sorted((len(items), len(other.shingles)))
            inside_estimate = estimate / (1 + estimate) * (smaller + larger) / max(smaller, 1)
            if estimate < COPY_JACCARD - 0.15 and inside_estimate < COPY_CONTAINMENT - 0.15:
                continue  # MinHash says far from a copy: no exact comparison
            both = len(items & other.shingles)
            if not both:
                continue
            jaccard = both / len(items | other.shingles)
            inside = both / min(len(items), len(other.shingles))
            if jaccard >= COPY_JACCARD:
                why = f"Jaccard {jaccard:.2f} of 5-word shingles"
            elif inside >= COPY_CONTAINMENT:
                why = f"containment {inside:.2f} of the shorter text (Jaccard {jaccard:.2f})"
            else:
                continue
            score = max(jaccard, inside)
            if best is None or score > best[0]:
                best = (score, self.originals.get(other.item.key, other.item.key), why)
        return (best[1], best[2]) if best else None

    def _sharing_terms(self, vector: dict[int, float]) -> list[int]:
        """The ``CANDIDATES`` earlier articles sharing most of ``vector``'s salient terms."""
        top = sorted(vector, key=vector.__getitem__, reverse=True)[:TOP_TERMS]
        hits: Counter[int] = Counter()
        for term in top:
            for key in self.postings.get(term, ())[-2000:]:
                hits[key] += 1
        return [key for key, _ in hits.most_common(CANDIDATES)]

    def _nearest(self, item: Item, vector: dict[int, float]) -> tuple[int | None, float, set[str]]:
        best: tuple[float, int, set[str]] | None = None
        for key in self._sharing_terms(vector):
            other = self.seen[key]
            if not _near_in_time(item.published, other.item.published):
                continue
            score = _cosine(vector, self._vector_of(other))
            shared = set(item.entities & other.item.entities)
            ranked = score + 0.02 * min(len(shared), 5)
            if best is None or ranked > best[0]:
                best = (ranked, key, shared)
        if best is None:
            return None, 0.0, set()
        _, key, shared = best
        return key, _cosine(vector, self._vector_of(self.seen[key])), shared

    def _vector(self, terms: Counter[int]) -> dict[int, float]:
        weights = {
            t: (1 + math.log(n)) * (math.log((1 + self.documents) / (1 + self.df[t])) + 1)
            for t, n in terms.items()
        }
        if len(weights) > VECTOR_TERMS:
            heaviest = sorted(weights, key=weights.__getitem__, reverse=True)[:VECTOR_TERMS]
            weights = {t: weights[t] for t in heaviest}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def _vector_of(self, seen: _Seen) -> dict[int, float]:
        return seen.vector


def _terms(text: str) -> Counter[int]:
    return Counter(
        zlib.crc32(w.encode()) % DIMENSIONS
        for w in words(text)
        if w not in STOP and len(w) > 2  # noqa: PLR2004
    )


def _cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _apart(a: dt.date | None, b: dt.date | None) -> str:
    if a is None or b is None:
        return ""
    days = abs((a - b).days)
    return "; published the same day" if days == 0 else f"; published {days} days apart"


def _near_in_time(a: dt.date | None, b: dt.date | None) -> bool:
    return a is None or b is None or abs((a - b).days) <= WINDOW_DAYS


def group(items: Iterable[Item], method: str = HYBRID) -> list[Decision]:
    """Decisions for ``items`` in order, from an empty state."""
    grouper = Grouper(method)
    return [grouper.add(i) for i in grouper.embed_items(list(items))]
