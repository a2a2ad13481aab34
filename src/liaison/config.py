# SPDX-License-Identifier: Apache-2.0
"""Settings, read once from the environment (``LIAISON_`` prefix) and frozen.

Nothing reads the environment at import time: ``Settings()`` is built by the CLI or by
``create_app``'s caller and passed down.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VAR_DIR = Path("var")


class Settings(BaseSettings):
    """Liaison's configuration. Every field can be set as ``LIAISON_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="LIAISON_", frozen=True, extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_VAR_DIR / 'liaison.sqlite3'}",
        description="SQLAlchemy URL: a SQLite file by default, postgresql+psycopg://... for real.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    page_size: int = Field(default=50, ge=1, le=1000)
    max_page_size: int = Field(default=500, ge=1, le=10000)
    echo_sql: bool = False
    decisions_tick_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How often `liaison serve` settles due decisions (silence deadlines); 0 = off.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail notifications; unset = no e-mail."
    )
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = "liaison@localhost"
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="The address links in e-mails point to."
    )
    taxii_cursor_key: str = Field(
        default_factory=lambda: secrets.token_hex(32),
        description="HMAC key that signs TAXII next cursors; set it when several servers "
        "share a database, so a cursor issued by one is accepted by the others.",
    )
    federation_key: str | None = Field(
        default=None,
        description="Key that encrypts remote TAXII credentials at rest (a Fernet key: "
        "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`). "
        "Without it, no remote can be added.",
    )
    taxii_max_content_length: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="The largest TAXII request body accepted (bytes); larger is a 413.",
    )
    jobs_in_process: bool | None = Field(
        default=None,
        description="Whether `liaison serve` runs a job worker thread itself; unset = yes on "
        "SQLite, no on PostgreSQL (run `liaison worker` processes there).",
    )
    jobs_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a worker holds a job without renewing its lease; a job whose "
        "worker died is taken again after this.",
    )
    jobs_poll_seconds: float = Field(default=1.0, gt=0, description="Idle workers look this often.")
    jobs_retry_base_seconds: float = Field(
        default=2.0, ge=0, description="A failed job waits this, doubled per attempt, to retry."
    )
    extract_seconds: float = Field(
        default=20.0,
        gt=0,
        description="The longest an upload's text extraction (PDF, DOCX) may take, in a child "
        "process outside any transaction; a file that needs longer is refused (413).",
    )
    extract_memory_mib: int = Field(
        default=768,
        ge=128,
        description="The address space of that child process (RLIMIT_AS), in MiB.",
    )
    db_slots: int | None = Field(
        default=None,
        ge=1,
        description="How many requests may work with the database at once; the rest wait "
        "without holding a thread. Unset: the connection pool's size less 3.",
    )
