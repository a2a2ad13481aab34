# SPDX-License-Identifier: Apache-2.0
"""DISARM Red framework v1.6 as reference data, and technique suggestions for a story.

The STIX bundle ships in ``data/disarm/`` (CC BY-SA 4.0, © DISARM Foundation; ``ATTRIBUTION``
is shown wherever a technique is named). It is read once per process. DISARM's ids follow
ATT&CK's layout (source_name "mitre-attack", T-numbers that collide with ATT&CK's), so Liaison
names a technique ``DISARM T0085.004`` and keeps the bundle's own STIX id for exports.

Suggestions: a story gets a technique when one of its articles matches a rule (``RULES``:
words an analyst would look for, each tied to a technique); the TF-IDF similarity between the
story's text and the technique's name and description is added to the score, and further
techniques are suggested by similarity alone only for a story some rule already flagged (an
ordinary news story gets none). An analyst confirms or rejects each suggestion.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from liaison.osint.stories import STOP, words

ATTRIBUTION = (
    "DISARM Red framework v1.6 © DISARM Foundation, CC BY-SA 4.0 "
    "(https://github.com/DISARMFoundation/DISARMframeworks)"
)
SIMILAR_MIN = 0.12
RULES: tuple[tuple[str, str], ...] = (
    (r"\b(forged|forgery|fabricated|fake)\b[^.]{0,40}\b(letter|document|memo)", "T0085.004"),
    (r"\b(letter|document|memo)\b[^.]{0,60}\b(forged|forgery|fabricated|fake)\b", "T0085.004"),
    (r"\b(bots?|automated accounts|reposted|forwarded)\b", "T0049.003"),
    (r"\binauthentic news sites?\b|\bimitate regional newspapers\b", "T0098.001"),
    (r"\bimpersonat\w*", "T0143.003"),
    (r"\bconspiracy\b", "T0022"),
    (r"\bnewly created accounts\b|\bsock ?puppets?\b", "T0090"),
    (r"\bdeepfakes?\b", "T0087.001"),
)


@dataclass(frozen=True, slots=True)
class Technique:
    external_id: str  # T0085.004
    stix_id: str
    name: str
    tactic: str
    description: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Suggestion:
    technique: Technique
    score: float
    reason: str


@functools.cache
def techniques() -> dict[str, Technique]:
    """Every DISARM technique and sub-technique, by external id."""
    raw = resources.files("liaison.osint").joinpath("data/disarm/DISARM.json").read_bytes()
    bundle = json.loads(raw)
    found: dict[str, Technique] = {}
    for obj in bundle["objects"]:
        if obj.get("type") != "attack-pattern" or obj.get("revoked"):
            continue
        refs = [r for r in obj.get("external_references", []) if r.get("external_id")]
        if not refs:
            continue
        phases = [p["phase_name"] for p in obj.get("kill_chain_phases", [])]
        found[refs[0]["external_id"]] = Technique(
            refs[0]["external_id"],
            obj["id"],
            obj["name"],
            phases[0] if phases else "",
            obj.get("description", ""),
            refs[0].get("url"),
        )
    return found


def technique(external_id: str) -> Technique | None:
    return techniques().get(external_id.strip().upper())


@functools.cache
def _index() -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    docs = {k: _counts(f"{t.name} {t.name} {t.description}") for k, t in techniques().items()}
    df: Counter[str] = Counter()
    for counts in docs.values():
        df.update(counts.keys())
    n = len(docs)
    idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
    return {k: _unit(c, idf) for k, c in docs.items()}, idf


def _counts(text: str) -> Counter[str]:
    return Counter(w for w in words(text) if w not in STOP and len(w) > 2)  # noqa: PLR2004


def _unit(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    weights = {w: (1 + math.log(n)) * idf.get(w, 1.0) for w, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {w: v / norm for w, v in weights.items()}


def suggest(text: str, limit: int = 5) -> list[Suggestion]:
    """Techniques for a story's text (its articles joined), best first."""
    known = techniques()
    vectors, idf = _index()
    story = _unit(_counts(text), idf)
    similarity = {k: sum(w * story.get(t, 0.0) for t, w in v.items()) for k, v in vectors.items()}
    ruled: dict[str, str] = {}
    for pattern, external_id in RULES:
        if external_id in known and (m := re.search(pattern, text, re.IGNORECASE)):
            ruled.setdefault(external_id, m.group(0))
    if not ruled:
        return []
    out = [
        Suggestion(
            known[k],
            round(1.0 + similarity[k], 3),
            f"rule: the text says {words!r}; similarity {similarity[k]:.2f}",
        )
        for k, words in ruled.items()
    ]
    for k, score in sorted(similarity.items(), key=lambda kv: -kv[1]):
        if len(out) >= limit or score < SIMILAR_MIN:
            break
        if k not in ruled:
            out.append(
                Suggestion(known[k], round(score, 3), f"similarity {score:.2f} to the story")
            )
    return sorted(out, key=lambda s: -s.score)[:limit]
