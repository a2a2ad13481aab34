# SPDX-License-Identifier: Apache-2.0
"""``python -m liaison.migrations.check``: fail when the models and the migrations differ.

Migrates a scratch SQLite database to head and compares it with the models (Alembic's
autogenerate comparison), so a model change without a migration cannot land.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from liaison.db.engine import build_engine
from liaison.migrations import include_name, upgrade
from liaison.models import Base


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        engine = build_engine(f"sqlite:///{Path(folder) / 'check.sqlite3'}")
        upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            diff = compare_metadata(context, Base.metadata)
        engine.dispose()
    if diff:
        sys.stderr.write("models and migrations differ; add a migration:\n")
        for change in diff:
            sys.stderr.write(f"  {change}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
