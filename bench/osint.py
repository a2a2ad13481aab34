# ruff: noqa: E501, RUF001, PLR0915 - a script: long report lines, en dashes in dates, one main
"""Open-source ingest at scale: generated articles through ingest, extraction and grouping.

    .venv/bin/python bench/osint.py --articles 10000
    .venv/bin/python bench/osint.py --articles 10000 --processes 2
    .venv/bin/python bench/osint.py --articles 2000 --grouping tfidf   # the measured alternative

Generates N articles of about 600 words (``--seed`` fixes them): stories of 2-8 articles told by
invented outlets, each article its own wording of the story's facts (actors, place, dates,
counts, a code word) among background sentences shared by all news, and about 8 % syndicated
copies (new header and footer, a word changed) or truncated copies (the first 60 %). Then,
stage by stage, with articles/s for each and the process's peak memory:

1. ingest: ``ingest.parse_file`` on the .txt bytes (headers, canonical URL, publication date)
   and the content hash;
2. extraction: ``extract.Extractor.extract_many`` (spaCy en_core_web_sm plus the entity ruler
   over the ``focus`` sentences; ``--processes 2`` runs two worker processes);
3. grouping: ``stories.Grouper`` (MinHash copies; MiniLM embeddings of title and lede, or
   TF-IDF with ``--grouping tfidf``; plus shared entities), incrementally in publication
   order; the embeddings are computed first, in batches, and timed on their own.

Grouping is scored by pairwise precision, recall and F1 against the generator's story labels
(a copy belongs to its original's story); copies by precision and recall. Finally one new
article end to end (parse, extract, group) with the models loaded. The database is not
involved: this measures the pipeline; writing results is the service's ordinary inserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import resource
import time
from itertools import combinations

from liaison.osint import embed, extract, ingest, stories

OUTLETS = [
    "Northern Ledger", "Baltic Wire", "Pacific Courier", "Harbour Times", "Meridian Post",
    "Alpine Gazette", "Coastal Herald", "Danube Observer", "Prairie Tribune", "Delta Monitor",
    "Summit Review", "Island Chronicle",
]  # fmt: skip
COUNTRIES = [
    "Japan", "Australia", "South Korea", "New Zealand", "France", "Germany", "Italy", "Poland",
    "Norway", "Sweden", "Finland", "Estonia", "Latvia", "Lithuania", "Canada", "Spain",
    "Portugal", "Greece", "Romania", "Bulgaria", "Georgia", "Ukraine", "Moldova", "Tunisia",
    "Morocco", "Jordan", "Qatar", "Mongolia", "Colombia", "Iraq",
]  # fmt: skip
CITIES = ["Vilnius", "Tallinn", "Brussels", "Madrid", "Tokyo", "Canberra", "Riga", "Warsaw",
          "Helsinki", "Kyiv", "Seoul", "Paris", "Rome", "Oslo", "Lisbon", "Athens", "Prague",
          "Vienna", "Berlin", "Sofia", "Bucharest", "Tbilisi", "Ottawa", "Dublin", "Bern",
          "Tunis", "Amman", "Doha", "Bogota", "Baghdad", "Wellington", "Ulaanbaatar"]  # fmt: skip
PEOPLE = ["Anna Berg", "Tomas Kask", "Yuki Sato", "Maria Rossi", "Jan Nowak", "Lena Virtanen",
          "Pierre Martin", "Min-jun Kim", "Olivia Brown", "Carlos Ruiz", "Elena Popescu",
          "Nikos Pappas", "Sara Lind", "Akira Mori", "James Cook", "Ines Costa"]  # fmt: skip
KINDS = ["summit", "visit", "meeting", "exercise", "signing", "opening"]
TOPICS = ["cyber defence", "maritime security", "space", "critical infrastructure",
          "disinformation", "climate security", "energy security", "arms control",
          "emerging technologies", "crisis management", "counter-terrorism", "logistics"]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
SYLLABLES = ["ka", "lo", "mer", "tiv", "san", "dor", "vel", "qui", "ran", "bo", "zet", "nor",
             "pal", "sek", "ul", "fin", "gar", "hes", "ost", "lun"]  # fmt: skip
BACKGROUND = [
    "Markets were calm on the day, and analysts said investors were watching interest rates.",
    "The weather service expected rain in the north and sunshine in the south later in the week.",
    "Officials have repeatedly stressed the importance of close cooperation with partners.",
    "The government is expected to present its budget to parliament in the coming weeks.",
    "Several ministers are due to travel abroad as the diplomatic calendar fills up.",
    "Observers noted that public opinion on foreign policy has shifted over the past decade.",
    "Trade figures published earlier showed a modest rise in exports of machinery and food.",
    "A number of think tanks have published reports on the security situation in the region.",
    "The opposition criticised the government for not consulting parliament more closely.",
    "Transport unions announced talks with employers over wages and working conditions.",
    "The capital hosted a cultural festival that drew visitors from across the continent.",
    "Commentators said the coming months would test the resolve of many governments.",
    "Local newspapers reported heavy traffic on the main roads around the conference centre.",
    "Experts warned that misinformation spreads quickly on social media during major events.",
    "The central bank kept its main rate unchanged and said inflation was easing slowly.",
    "Universities reported a rise in applications for international relations courses.",
    "Officials declined to give further details, citing the sensitivity of the discussions.",
    "The foreign ministry published a statement on its website later in the evening.",
    "Security was tight around the venue, with roads closed and extra police on duty.",
    "Diplomats described the atmosphere of the talks as constructive and businesslike.",
]


def pseudo(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


def vocabulary(rng: random.Random, size: int) -> list[str]:
    return sorted({pseudo(rng, rng.randrange(2, 4)) for _ in range(size)})


def make_story(rng: random.Random, index: int, words: list[str]) -> dict:
    year = rng.choice(range(2018, 2026))
    month = rng.randrange(12)
    day = rng.randrange(1, 27)
    return {
        "index": index,
        "kind": rng.choice(KINDS),
        "countries": rng.sample(COUNTRIES, 3),
        "city": rng.choice(CITIES),
        "people": rng.sample(PEOPLE, 2),
        "topic": rng.choice(TOPICS),
        "code": pseudo(rng, 3).capitalize(),
        "lexicon": rng.sample(words, 30),  # what this story is about, in its own words
        "when": (year, month, day),
        "count": rng.randrange(12, 60),
        "published": dt.date(year, month + 1, day) - dt.timedelta(days=rng.randrange(3, 20)),
    }


def story_sentences(rng: random.Random, s: dict) -> list[str]:
    year, month, day = s["when"]
    a, b, c = s["countries"]
    p, q = s["people"]
    m = MONTHS[month]
    w = s["lexicon"]
    date = rng.choice(
        [f"on {day}–{day + 1} {m}", f"in {m}", f"on {day} {m} {year}", f"{m} {day} and {day + 1}"]
    )

    def some(k: int) -> str:
        return " ".join(rng.sample(w, k))

    lines = [
        f"Leaders from {a}, {b} and {c} will attend the {s['kind']} in {s['city']} {date}, officials said.",
        f"The {s['code']} initiative on {s['topic']} covers {some(4)} and {some(3)}.",
        f"{p} said the {s['code']} plan would bring {some(3)} to {a} and {b}.",
        f"{q} confirmed that {s['count']} nations had been invited to the {s['code']} talks on {some(3)}.",
        f"Delegations from {c} said the work on {some(4)} needed more time.",
        f"The {s['kind']} in {s['city']} follows months of preparation on {some(5)}.",
        f"According to {p}, the {s['code']} framework on {some(3)} could be signed before the end of {year}.",
        f"Critics in {b} questioned whether {some(4)} was affordable.",
        f"Officials from {a} and {c} met in {s['city']} to prepare {some(4)}.",
        f"{q} told reporters that {some(3)} would remain a priority for {a}, {b} and {c}.",
        f"Papers on {some(5)} were circulated to the delegations.",
        f"The {s['code']} team described {some(4)} as the main test.",
    ]
    rng.shuffle(lines)
    return lines


def background(rng: random.Random, common: list[str]) -> str:
    return rng.choice(BACKGROUND).replace("partners", " ".join(rng.sample(common, 3)), 1)


def make_article(
    rng: random.Random, s: dict, outlet: str, number: int, common: list[str]
) -> tuple[str, str]:
    lines = story_sentences(rng, s)[: rng.randrange(8, 12)]
    paragraphs, words = [], 0
    while words < 600:
        chunk = [lines.pop()] if lines else []
        chunk += [background(rng, common) for _ in range(2)]
        paragraph = " ".join(chunk)
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    title = f"{s['code']}: {s['kind']} in {s['city']} on {s['topic']}"
    published = s["published"] + dt.timedelta(days=rng.randrange(0, 5))
    slug = outlet.lower().replace(" ", "-")
    header = f"Title: {title}\nOutlet: {outlet}\nDate: {published.isoformat()}\nURL: https://{slug}.example/{number}\n\n"
    return header + "\n\n".join(paragraphs), title


def copy_of(rng: random.Random, text: str, outlet: str, number: int) -> str:
    head, _, body = text.partition("\n\n")
    lines = [line for line in head.splitlines() if not line.startswith(("URL:", "Outlet:"))]
    slug = outlet.lower().replace(" ", "-")
    header = "\n".join([*lines, f"Outlet: {outlet}", f"URL: https://{slug}.example/wire/{number}"])
    if rng.random() < 0.5:  # syndicated: a new footer, one word changed
        body = body.replace(" said", " stated", 1) + f"\n\nDistributed by {outlet}."
    else:  # truncated: the first 60 %
        body = body[: int(len(body) * 0.6)].rsplit(" ", 1)[0]
    return header + "\n\n" + body


def generate(n: int, seed: int) -> list[tuple[str, bytes, int, int | None]]:
    """(file name, bytes, story label, index of the original if a copy)."""
    rng = random.Random(seed)
    words = vocabulary(rng, 20_000)
    common = words[:400]
    out: list[tuple[str, bytes, int, int | None]] = []
    index = 0
    while len(out) < n:
        s = make_story(rng, index, words[400:])
        index += 1
        outlets = rng.sample(OUTLETS, rng.randrange(2, 8))
        first = len(out)
        for outlet in outlets:
            text, _ = make_article(rng, s, outlet, len(out), common)
            out.append((f"{len(out)}.txt", text.encode(), s["index"], None))
            if rng.random() < 0.08:
                original = rng.randrange(first, len(out))
                other = rng.choice([o for o in OUTLETS if o != outlet])
                copy = copy_of(rng, out[original][1].decode(), other, len(out))
                out.append((f"{len(out)}.txt", copy.encode(), s["index"], original))
    return out[:n]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu() -> float:
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def score(labels: list[int], found: list[int]) -> tuple[float, float, float]:
    by_label: dict[int, list[int]] = {}
    by_found: dict[int, list[int]] = {}
    for i, (label, story) in enumerate(zip(labels, found, strict=True)):
        by_label.setdefault(label, []).append(i)
        by_found.setdefault(story, []).append(i)
    gold = {p for members in by_label.values() for p in combinations(members, 2)}
    pred = {p for members in by_found.values() for p in combinations(members, 2)}
    tp = len(gold & pred)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(gold) if gold else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall)


_WORKER: extract.Extractor | None = None


def _extract_chunk(chunk: list[tuple[str, object]]) -> list[tuple[int, int, int, int]]:
    global _WORKER  # noqa: PLW0603 - one pipeline per worker process
    if _WORKER is None:
        _WORKER = extract.Extractor(extract.Terms(TERMS, lambda _n: None))
    found = _WORKER.extract_many(chunk)
    return [(len(f.entities), len(f.events), len(f.claims), len(f.counts)) for f in found]


TERMS = extract.registry_patterns(COUNTRIES, [("IP4", "Indo-Pacific partners")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument(
        "--grouping", choices=[stories.EMBEDDING, stories.TFIDF], default=stories.EMBEDDING
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="onnxruntime threads for the embeddings"
    )
    parser.add_argument(
        "--extract-sample",
        type=int,
        default=0,
        help="extract only the first N articles (0: all) and project the rate; grouping "
        "always takes every article, with the entities the ruler's names give",
    )
    args = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    t = time.perf_counter()
    files = generate(args.articles, args.seed)
    words = sum(len(b.split()) for _, b, _, _ in files) / len(files)
    copies = sum(1 for f in files if f[3] is not None)
    print(f"generated {len(files)} articles ({words:.0f} words on average, {copies} copies) "
          f"in {time.perf_counter() - t:.1f} s")  # fmt: skip

    t = time.perf_counter()
    parsed = [ingest.parse_file(name, data) for name, data, _, _ in files]
    hashes = {p.content_hash for p in parsed}
    ingest_s = time.perf_counter() - t
    print(
        f"1 ingest:     {len(parsed) / ingest_s:8.0f} articles/s ({ingest_s:.1f} s; {len(hashes)} distinct hashes)"
    )

    t = time.perf_counter()
    extractor = extract.Extractor(extract.Terms(TERMS, lambda _n: None))
    load_s = time.perf_counter() - t
    items = [(p.text, p.published) for p in parsed]
    if args.extract_sample:
        items = items[: args.extract_sample]
    t = time.perf_counter()
    c = cpu()
    if args.processes > 1:
        size = 100
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            counts = [c for part in pool.imap(_extract_chunk, chunks) for c in part]
        entity_sets = None
    else:
        found = extractor.extract_many(items)
        counts = [(len(f.entities), len(f.events), len(f.claims), len(f.counts)) for f in found]
        entity_sets = [
            frozenset(m.name for m in f.entities if m.kind in {"PERSON", "ORG", "GPE", "FRAMEWORK"})
            for f in found
        ]
    extract_s = time.perf_counter() - t
    extract_cpu = cpu() - c
    totals = [sum(c[i] for c in counts) for i in range(4)]
    print(f"2 extraction: {len(items)} articles, {len(items) / extract_s:8.1f} articles/s wall, "
          f"{len(items) / extract_cpu:.1f} per CPU second ({extract_s:.1f} s, model load {load_s:.1f} s; "
          f"{totals[0]} entities, {totals[1]} events, {totals[2]} claims, {totals[3]} counts; "
          f"{extract_cpu:.0f} CPU s)")  # fmt: skip

    if entity_sets is None or len(entity_sets) < len(parsed):  # the ruler's names, for all
        entity_sets = [
            frozenset(c for c in COUNTRIES + CITIES + PEOPLE if c in p.text) for p in parsed
        ]
    order = sorted(range(len(parsed)), key=lambda i: (parsed[i].published.start, i))
    model = embed.model(args.threads)
    grouper = stories.Grouper(args.grouping, model.embed)
    t = time.perf_counter()
    pending = [
        stories.Item(i, parsed[i].text, parsed[i].title, entity_sets[i], parsed[i].published.start)
        for i in order
    ]
    pending = grouper.embed_items(pending)
    embed_s = time.perf_counter() - t
    if args.grouping == stories.EMBEDDING:
        print(f"3a embedding: {len(pending) / embed_s:8.1f} articles/s ({embed_s:.1f} s; MiniLM int8, "
              f"{args.threads} thread(s), title and first {stories.LEDE_CHARS} characters)")  # fmt: skip
    t = time.perf_counter()
    story_of: dict[int, int] = {}
    copy_found: dict[int, int] = {}
    for item in pending:
        d = grouper.add(item)
        story_of[item.key] = d.story
        if d.copy_of is not None:
            copy_found[item.key] = d.copy_of
    group_s = time.perf_counter() - t + embed_s
    labels = [f[2] for f in files]
    precision, recall, f1 = score(labels, [story_of[i] for i in range(len(files))])
    true_copies = {i for i, f in enumerate(files) if f[3] is not None}
    hit = len(true_copies & copy_found.keys())
    copy_p = hit / len(copy_found) if copy_found else 1.0
    copy_r = hit / len(true_copies) if true_copies else 1.0
    print(f"3 grouping ({args.grouping}, embeddings included): {len(parsed) / group_s:8.0f} articles/s ({group_s:.1f} s; {len(set(story_of.values()))} stories "
          f"for {len(set(labels))} generated)")  # fmt: skip
    print(f"  pairwise precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}; "
          f"copies precision {copy_p:.3f}, recall {copy_r:.3f} ({hit} of {len(true_copies)})")  # fmt: skip
    projected = extract_s * len(parsed) / len(items)
    total = ingest_s + projected + group_s
    if len(items) < len(parsed):
        print(
            f"  extraction of all {len(parsed)} projected from the sample: {projected:.0f} s wall here, "
            f"{extract_cpu * len(parsed) / len(items):.0f} CPU s"
        )
    print(
        f"total {total:.0f} s for {len(files)} articles ({len(files) / total:.1f} articles/s); "
        f"peak RSS {peak_mb():.0f} MB (largest child {children_peak_mb():.0f} MB)"
    )

    name, data, _, _ = files[-1]
    fresh = data.replace(b"Title: ", b"Title: New: ", 1) + b"\n\nA late paragraph added on 3 May."
    times = []
    for attempt in range(5):  # the median of five, each a new article
        t = time.perf_counter()
        one = ingest.parse_file(name, fresh.replace(b"New: ", f"New {attempt}: ".encode(), 1))
        done = extractor.extract(one.text, one.published)
        grouper.add(
            stories.Item(
                10**9 + attempt,
                one.text,
                one.title,
                frozenset(m.name for m in done.entities),
                one.published.start,
            )
        )
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"one new article end to end (models loaded): median {times[2] * 1000:.0f} ms "
          f"(min {times[0] * 1000:.0f}, max {times[-1] * 1000:.0f}) of 5")  # fmt: skip
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
