# SPDX-License-Identifier: Apache-2.0
"""Settings, read once from the environment (``LIAISON_`` prefix) and frozen.

Nothing reads the environment at import time: ``Settings()`` is built by the CLI or by
``create_app``'s caller and passed down.
"""

from __future__ import annotations

import secrets
import uuid
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
    audit_key_file: Path | None = Field(
        default=None,
        description="The Ed25519 key that signs the audit chain's checkpoints, kept outside "
        "the database (default: next to the SQLite file, or var/<database>.audit-key); "
        "`liaison init` makes it (mode 0600) when it is missing.",
    )
    audit_anchor_file: Path | None = Field(
        default=None,
        description="The append-only file of signed checkpoints of the audit chain (default: "
        "next to the SQLite file, or var/<database>.audit-anchors.jsonl).",
    )
    audit_checkpoint_seconds: float = Field(
        default=300.0,
        ge=0,
        description="How often `liaison serve` checkpoints the audit chain's head; 0 = off.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Addresses or networks (comma-separated) of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; nobody else's are.",
    )
    osint_private_hosts: str = Field(
        default="",
        description="Hosts (comma-separated, as written in a source's URL) that open-source "
        "polling may fetch although they are not public addresses, e.g. an intranet feed. "
        "Every other loopback, private, link-local or reserved address is refused.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="The largest request body accepted (bytes), but for uploads and TAXII, "
        "which have their own; a larger one is refused with 413 before it is read.",
    )
    misp_org_uuid: uuid.UUID | None = Field(
        default=None,
        description="The MISP organisation (Orgc) uuid this hub's MISP feed presents; without "
        "it, one derived from public_url, so two deployments never present the same one.",
    )
    misp_org_name: str = Field(
        default="Liaison sharing hub",
        min_length=1,
        max_length=255,
        description="The MISP organisation (Orgc) name this hub's MISP feed presents.",
    )
