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

import os

# one BLAS thread per process: with OpenBLAS's default (a thread per core) the grouping's
# matrix-vector products spin on the core the extraction workers need; grouping 2,000
# articles took 22 s with it and 12 s without (cProfile, load ~10)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import datetime as dt
import multiprocessing
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
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


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


TERMS = extract.registry_patterns(COUNTRIES, [("IP4", "Indo-Pacific partners")])
KINDS_GROUPED = {"PERSON", "ORG", "GPE", "FRAMEWORK"}
Work = tuple[int, str, str, object]  # (index, title, text, publication interval)
Done = tuple[int, tuple[int, int, int, int], frozenset[str], object]  # counts, names, vector


def analyse(chunk: list[Work], method: str) -> tuple[list[Done], float, float]:
    """Extraction and (unless TF-IDF) embedding of ``chunk``: results and the CPU s of each."""
    extractor = extract.Extractor(extract.Terms(TERMS, lambda _n: None))
    c = cpu()
    found = extractor.extract_many([(text, published) for _, _, text, published in chunk])  # type: ignore[misc]
    extract_cpu = cpu() - c
    vectors: list[object] = [None] * len(chunk)
    if method != stories.TFIDF:
        c = cpu()
        vectors = list(
            embed.model(1).embed([stories.embedding_text(t, x) for _, t, x, _ in chunk], 32)
        )
        embed_cpu = cpu() - c
    else:
        embed_cpu = 0.0
    done = [
        (
            i,
            (len(f.entities), len(f.events), len(f.claims), len(f.counts)),
            frozenset(m.name for m in f.entities if m.kind in KINDS_GROUPED),
            v,
        )
        for (i, _, _, _), f, v in zip(chunk, found, vectors, strict=True)
    ]
    return done, extract_cpu, embed_cpu


def _analyse(args: tuple[list[Work], str]) -> tuple[list[Done], float, float]:
    return analyse(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="worker processes for extraction and embedding (1: all in this process, one "
        "stage after the other); grouping runs in this process as their results arrive",
    )
    parser.add_argument("--chunk", type=int, default=50, help="articles per worker task")
    parser.add_argument("--grouping", choices=stories.METHODS, default=stories.HYBRID)
    args = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    t = time.perf_counter()
    files = generate(args.articles, args.seed)
    words = sum(len(b.split()) for _, b, _, _ in files) / len(files)
    copies = sum(1 for f in files if f[3] is not None)
    print(f"generated {len(files)} articles ({words:.0f} words on average, {copies} copies) "
          f"in {time.perf_counter() - t:.1f} s")  # fmt: skip

    started = time.perf_counter()
    c = cpu()
    parsed = [ingest.parse_file(name, data) for name, data, _, _ in files]
    hashes = {p.content_hash for p in parsed}
    ingest_s, ingest_cpu = time.perf_counter() - started, cpu() - c
    print(f"1 ingest:     {len(parsed) / ingest_s:8.0f} articles/s ({ingest_s:.1f} s, {ingest_cpu:.1f} CPU s; "
          f"{len(hashes)} distinct hashes)")  # fmt: skip

    t = time.perf_counter()
    extract.pipeline(TERMS)  # loaded before the workers fork: they share it
    load_s = time.perf_counter() - t
    order = sorted(range(len(parsed)), key=lambda i: (parsed[i].published.start, i))
    work: list[Work] = [(i, parsed[i].title, parsed[i].text, parsed[i].published) for i in order]
    chunks = [work[i : i + args.chunk] for i in range(0, len(work), args.chunk)]
    grouper = stories.Grouper(args.grouping)
    story_of: dict[int, int] = {}
    copy_found: dict[int, int] = {}
    totals = [0, 0, 0, 0]
    extract_cpu = embed_cpu = group_cpu = 0.0

    def group(done: list[Done]) -> None:
        nonlocal group_cpu
        c = cpu()
        for i, counts, names, vector in done:
            for k in range(4):
                totals[k] += counts[k]
            p = parsed[i]
            d = grouper.add(stories.Item(i, p.text, p.title, names, p.published.start, vector))
            story_of[i] = d.story
            if d.copy_of is not None:
                copy_found[i] = d.copy_of
        group_cpu += cpu() - c

    t = time.perf_counter()
    if args.processes > 1:
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            for done, e, m in pool.imap(_analyse, [(chunk, args.grouping) for chunk in chunks]):
                extract_cpu += e
                embed_cpu += m
                group(done)
    else:
        for chunk in chunks:
            done, e, m = analyse(chunk, args.grouping)
            extract_cpu += e
            embed_cpu += m
            group(done)
    work_s = time.perf_counter() - t
    total = time.perf_counter() - started
    n = len(parsed)
    print(f"2 extraction: {n / extract_cpu:8.1f} articles per CPU second ({extract_cpu:.0f} CPU s; spaCy load "
          f"{load_s:.1f} s; {totals[0]} entities, {totals[1]} events, {totals[2]} claims, {totals[3]} counts)")  # fmt: skip
    if embed_cpu:
        print(f"3a embedding: {n / embed_cpu:8.1f} articles per CPU second ({embed_cpu:.0f} CPU s; MiniLM int8, "
              f"one thread per process, title and first {stories.LEDE_CHARS} characters)")  # fmt: skip
    print(f"3 grouping:   {n / group_cpu:8.1f} articles per CPU second ({group_cpu:.0f} CPU s; {args.grouping}; "
          f"{len(set(story_of.values()))} stories for {len({f[2] for f in files})} generated)")  # fmt: skip
    labels = [f[2] for f in files]
    precision, recall, f1 = score(labels, [story_of[i] for i in range(len(files))])
    true_copies = {i for i, f in enumerate(files) if f[3] is not None}
    hit = len(true_copies & copy_found.keys())
    copy_p = hit / len(copy_found) if copy_found else 1.0
    copy_r = hit / len(true_copies) if true_copies else 1.0
    print(f"  pairwise precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}; "
          f"copies precision {copy_p:.3f}, recall {copy_r:.3f} ({hit} of {len(true_copies)})")  # fmt: skip
    print(f"stages 2-3 ({args.processes} process(es) for 2 and 3a, grouping here as results arrive): "
          f"{work_s:.1f} s wall, {n / work_s:.1f} articles/s")  # fmt: skip
    print(f"total {total:.1f} s wall for {n} articles, ingest included ({n / total:.1f} articles/s; "
          f"{ingest_cpu + extract_cpu + embed_cpu + group_cpu:.0f} CPU s); peak RSS {peak_mb():.0f} MB here, "
          f"{children_peak_mb():.0f} MB the largest worker")  # fmt: skip

    extractor = extract.Extractor(extract.Terms(TERMS, lambda _n: None))
    model = embed.model(1)
    model.embed(["warm-up"])
    name, data, _, _ = files[-1]
    fresh = data.replace(b"Title: ", b"Title: New: ", 1) + b"\n\nA late paragraph added on 3 May."
    times = []
    for attempt in range(5):  # the median of five, each a new article
        t = time.perf_counter()
        one = ingest.parse_file(name, fresh.replace(b"New: ", f"New {attempt}: ".encode(), 1))
        found = extractor.extract(one.text, one.published)
        names = frozenset(m.name for m in found.entities if m.kind in KINDS_GROUPED)
        grouper.add(stories.Item(10**9 + attempt, one.text, one.title, names, one.published.start))
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"one new article end to end (models loaded): median {times[2] * 1000:.0f} ms "
          f"(min {times[0] * 1000:.0f}, max {times[-1] * 1000:.0f}) of 5")  # fmt: skip
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
