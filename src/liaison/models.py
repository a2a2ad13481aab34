# SPDX-License-Identifier: Apache-2.0
"""Every feature's ORM models, imported in one place so the metadata is complete (Alembic)."""

from liaison.db.base import Base
from liaison.registry import models as registry_models

__all__ = ["Base", "registry_models"]
