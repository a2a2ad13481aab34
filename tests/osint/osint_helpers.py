# SPDX-License-Identifier: Apache-2.0
"""What the OSINT tests share: the corpus, its labels, and importing a folder."""

from __future__ import annotations

import json
from pathlib import Path

from liaison.db.engine import build_engine
from liaison.db.session import session_factory, unit_of_work
from liaison.osint import ingest, jobs
from liaison.osint.service import OsintService
from liaison.security.principal import SYSTEM

CORPUS = Path(__file__).parent / "corpus"
LABELS = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))


def import_folder(url: str, folder: Path = CORPUS) -> dict[str, int]:
    """Import every article of ``folder`` and analyse them; file stem -> article id."""
    engine = build_engine(url)
    factory = session_factory(engine)
    ids: dict[str, int] = {}
    try:
        with unit_of_work(factory) as session:
            service = OsintService(session, SYSTEM)
            for path in sorted(folder.iterdir()):
                if path.suffix in ingest.FILE_TYPES:
                    article = service.store(ingest.parse_file(path.name, path.read_bytes()))
                    ids[path.stem] = article.id
        jobs.analyse(jobs.DirectContext(factory), {})
    finally:
        engine.dispose()
    return ids
