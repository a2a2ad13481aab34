# SPDX-License-Identifier: Apache-2.0
"""Every feature's ORM models, imported in one place so the metadata is complete (Alembic)."""

from sqlalchemy import Integer

from liaison.audit import models as audit_models
from liaison.catalogue import models as catalogue_models
from liaison.db.base import Base
from liaison.decisions import models as decision_models
from liaison.documents import models as document_models
from liaison.jobs import models as job_models
from liaison.osint import models as osint_models
from liaison.programmes import models as programme_models
from liaison.registry import models as registry_models
from liaison.security import models as security_models
from liaison.sharing import models as sharing_models

# Ids are never reused (migration 0015): SQLite gives a table without AUTOINCREMENT the
# largest deleted id again. Every table with an integer ``id`` but ``marking`` (never deleted).
for _table in Base.metadata.tables.values():
    _key = list(_table.primary_key.columns)
    if _table.name != "marking" and [c.name for c in _key] == ["id"]:
        if not isinstance(_key[0].type, Integer):
            continue
        _table.dialect_options["sqlite"]["autoincrement"] = True

__all__ = [
    "Base",
    "audit_models",
    "catalogue_models",
    "decision_models",
    "document_models",
    "job_models",
    "osint_models",
    "programme_models",
    "registry_models",
    "security_models",
    "sharing_models",
]
