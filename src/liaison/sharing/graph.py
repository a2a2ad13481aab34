# SPDX-License-Identifier: Apache-2.0
"""The relationship graph of one STIX object, as server-side SVG (pure: data in, markup out).

Invariants:
- the caller passes only what the reader may see (``SharingService.neighbours``); this module
  draws what it is given and nothing else;
- every text and attribute value is escaped with markupsafe; no inline ``style`` (the CSP
  forbids it): colours come from classes in ``liaison.css``;
- the picture is an accessible image whose ``<desc>`` lists every edge in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 760
HEIGHT = 520
RADIUS = 200
MAX_LABEL = 28


@dataclass(frozen=True, slots=True)
class Node:
    stix_id: str
    type: str
    name: str


@dataclass(frozen=True, slots=True)
class Edge:
    relationship_type: str
    outgoing: bool  # True: centre → other; False: other → centre
    other: Node


def _attrs(**values: object) -> str:
    return " ".join(
        f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for key, value in values.items()
        if value is not None
    )


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _type_class(kind: str) -> str:
    return "node-" + "".join(c if c.isalnum() or c == "-" else "-" for c in kind)[:40]


def _node(x: float, y: float, node: Node, href: str, *, centre: bool = False) -> str:
    r = 16 if centre else 11
    circle = _attrs(cx=round(x, 1), cy=round(y, 1), r=r, class_=f"node {_type_class(node.type)}")
    label = _attrs(x=round(x, 1), y=round(y + r + 13, 1), class_="node-label")
    tip = f"{node.type}: {node.name} ({node.stix_id})"
    return (
        f"<a {_attrs(href=href)}><circle {circle}/>"
        f"<text {label}>{escape(_short(node.name))}</text>"
        f"<title>{escape(tip)}</title></a>"
    )


def render(centre: Node, edges: Sequence[Edge], href_of: dict[str, str]) -> Markup:
    """The centre object with its visible neighbours on a circle, one edge per relationship."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    parts: list[str] = []
    words: list[str] = []
    placed: dict[str, tuple[float, float]] = {}
    others = list(dict.fromkeys(e.other.stix_id for e in edges))
    for index, stix_id in enumerate(others):
        angle = 2 * math.pi * index / max(len(others), 1) - math.pi / 2
        placed[stix_id] = (cx + RADIUS * math.cos(angle), cy + RADIUS * math.sin(angle))
    for edge in edges:
        x, y = placed[edge.other.stix_id]
        (x1, y1), (x2, y2) = ((cx, cy), (x, y)) if edge.outgoing else ((x, y), (cx, cy))
        line = _attrs(
            x1=round(x1, 1),
            y1=round(y1, 1),
            x2=round(x2, 1),
            y2=round(y2, 1),
            class_="edge",
            marker_end="url(#arrow)",
        )
        label_at = _attrs(
            x=round((x1 + x2) / 2, 1), y=round((y1 + y2) / 2 - 4, 1), class_="edge-label"
        )
        parts.append(f"<line {line}/>")
        parts.append(f"<text {label_at}>{escape(edge.relationship_type)}</text>")
        subject, obj = (centre, edge.other) if edge.outgoing else (edge.other, centre)
        words.append(f"{subject.name} {edge.relationship_type} {obj.name}")
    drawn = {e.other.stix_id: e.other for e in edges}
    for stix_id in others:
        x, y = placed[stix_id]
        parts.append(_node(x, y, drawn[stix_id], href_of.get(stix_id, "#")))
    parts.append(_node(cx, cy, centre, href_of.get(centre.stix_id, "#"), centre=True))
    label = f"Relationships of {centre.name}"
    desc = "; ".join(words) if words else "No relationships you may see."
    defs = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="24" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'class="arrow"/></marker></defs>'
    )
    head = (
        f"<svg {_attrs(xmlns='http://www.w3.org/2000/svg', viewBox=f'0 0 {WIDTH} {HEIGHT}')}"
        f" {_attrs(role='img', aria_label=label, class_='chart graph')}>"
        f"<title>{escape(label)}</title><desc>{escape(desc)}</desc>{defs}"
    )
    return Markup(head + "".join(parts) + "</svg>")  # noqa: S704 - every part escaped above
