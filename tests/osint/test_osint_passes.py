# SPDX-License-Identifier: Apache-2.0
"""Extraction's second pass takes only the sentences that can give a fact, and the hybrid
grouping joins only when text and embedding agree (pure: no database)."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from liaison.osint import dates, extract, stories


@pytest.mark.parametrize(
    ("sentence", "dated", "parsed"),
    [
        ("Markets were calm, and analysts said investors were watching rates.", False, False),
        ("It rained in the north on 11 July.", True, False),
        ("Leaders will meet in Vilnius on 11 July.", True, True),
        ("The summit opens next week.", True, True),
        ("Critics questioned whether the plan was affordable.", False, True),
        ("The ministry denied the letter was genuine.", False, True),
        ("Officials said 38 nations had been invited.", False, True),
    ],
)
def test_only_sentences_that_can_give_a_fact_are_parsed(sentence, dated, parsed):
    assert extract.worth_parsing(sentence, dated) is parsed


def test_the_second_pass_keeps_the_first_pass_entities_and_each_sentence_its_own(
    osint_models,
):
    text = (
        "Markets were calm on the day, and analysts said investors were watching rates.\n"
        "Critics in Estonia questioned whether the radar network was affordable.\n"
        "Leaders from Japan will attend the summit in Vilnius on 11-12 July, officials said."
    )
    x = extract.Extractor(
        extract.Terms(extract.registry_patterns(["Japan", "Estonia"], []), lambda _n: None)
    )
    found = x.extract(text, dates.parse_published("2023-05-25"))
    assert {("GPE", "Japan"), ("GPE", "Estonia"), ("GPE", "Vilnius")} <= {
        (m.kind, m.name) for m in found.entities
    }
    (claim,) = [c for c in found.claims if c.stance < 0]
    assert claim.sentence.startswith("Critics in Estonia questioned")
    assert (claim.speaker, claim.proposition) == ("Critics in Estonia", "network")
    (event,) = found.events
    assert (event.kind, event.place) == ("summit", "Vilnius")
    assert (event.interval.start, event.interval.end) == (
        dt.date(2023, 7, 11),
        dt.date(2023, 7, 12),
    )


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return v / np.linalg.norm(v)


def _text(words: list[str], seed: int) -> str:
    rng = random.Random(seed)  # noqa: S311 - word order for a test, not a secret
    return " ".join(rng.sample(words, len(words))) + "."


@pytest.mark.parametrize(("same_words", "same_vector", "joined"), [
    (True, True, True),
    (True, False, False),  # the text alone: vetoed by the embedding
    (False, True, False),  # the embedding alone: vetoed by the text
])  # fmt: skip
def test_the_hybrid_joins_when_text_and_embedding_agree(same_words, same_vector, joined):
    day = dt.date(2024, 3, 1)
    story = [f"kalo{i}mer" for i in range(40)]
    other = [f"zet{i}quin" for i in range(40)]
    first = stories.Item(1, _text(story, 1), "A", frozenset(), day, _unit(1))
    second = stories.Item(
        2,
        _text(story if same_words else other, 2),
        "B",
        frozenset(),
        day,
        _unit(1) if same_vector else _unit(2),
    )
    grouper = stories.Grouper(stories.HYBRID, embedder=lambda _t: pytest.fail("no embedding"))
    assert stories.Grouper().method == stories.HYBRID
    grouper.add(first)
    decision = grouper.add(second)
    assert decision.copy_of is None
    assert (decision.story == 1) is joined
    assert "text similarity" in decision.reason
    assert "embedding similarity" in decision.reason
