"""Uploaded files for attachment, image and signature-free file fields.

Content lives under ``<KAIROS_HOME>/files/<sha256[:2]>/<sha256>`` (the ``FILES_DIR``
app setting overrides the folder; equal content is stored once); ``kairos_ui_file`` keeps
one row per upload with its name, size, type and uploader. A field value holds descriptors
``{"name", "file_id", "size", "content_type"}`` with ``file_id`` the row's id as text.
Limits (``max_size_mb``, ``accept``, ``max_files``) are checked at upload so the user
hears at once; the field type checks them again on save.

Who may download: once a saved record holds the file, the row remembers that record
(table, id, field) and whoever may read that field of that record may fetch it; before
that only the uploader may. A file is attached once, by its uploader's save, so a file id
copied into another record does not open it to that record's readers.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import FileStorage

from form_engine.fields._files import MB, accepts
from runtime import config as kairos_config
from runtime.db import write_transaction
from runtime.storage.system import ID_TYPE
from runtime.web.storage import UI_METADATA
from schemas.spec import FieldSpec

FILES = sa.Table(
    "kairos_ui_file",
    UI_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("uploaded_by", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=True),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("table_key", sa.String(30), nullable=True),
    sa.Column("record_id", ID_TYPE, nullable=True),
    sa.Column("field_key", sa.String(30), nullable=True),
)

DEFAULT_IMAGE_ACCEPT = ("image/*",)


@dataclass(frozen=True)
class UploadRefused(ValueError):
    """The upload breaks a limit of the field; ``code`` names it for the message."""

    code: str
    params: dict[str, Any]


def ensure_files_table(engine: sa.Engine) -> None:
    """Create ``kairos_ui_file`` if missing (this module is imported after
    ``ensure_ui_tables`` has run, when the blueprints are registered)."""
    UI_METADATA.create_all(engine, tables=[FILES], checkfirst=True)


def files_dir() -> Path:
    configured = current_app.config.get("FILES_DIR")
    return Path(configured) if configured else kairos_config.home_dir() / "files"


def check_upload(field: FieldSpec, name: str, size: int, content_type: str) -> None:
    """Raise UploadRefused when one file breaks the field's size or type limit."""
    max_mb = field.config.get("max_size_mb")
    if max_mb is not None and size > float(max_mb) * MB:
        raise UploadRefused("too_large", {"max": max_mb})
    patterns = tuple(field.config.get("accept") or ())
    if not patterns and field.type == "image":
        patterns = DEFAULT_IMAGE_ACCEPT
    descriptor = {"name": name, "content_type": content_type}
    if patterns and not any(accepts(p, descriptor) for p in patterns):
        raise UploadRefused("wrong_type", {"accept": ", ".join(patterns)})


def save_upload(
    engine: sa.Engine, field: FieldSpec, upload: FileStorage, user_id: int | None
) -> dict[str, Any]:
    """Store one uploaded file (after the field's checks); returns its descriptor."""
    content = upload.read()
    name = Path(upload.filename or "file").name[:255] or "file"
    content_type = (
        upload.mimetype
        if upload.mimetype and upload.mimetype != "application/octet-stream"
        else mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    check_upload(field, name, len(content), content_type)
    digest = hashlib.sha256(content).hexdigest()
    path = files_dir() / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    with write_transaction(engine) as conn:
        file_id = conn.execute(
            FILES.insert()
            .values(
                sha256=digest,
                name=name,
                size=len(content),
                content_type=content_type,
                uploaded_by=user_id,
                uploaded_at=datetime.now(UTC),
            )
            .returning(FILES.c.id)
        ).scalar_one()
    return {
        "name": name,
        "file_id": str(file_id),
        "size": len(content),
        "content_type": content_type,
    }


def stored_file(engine: sa.Engine, file_id: int) -> tuple[dict[str, Any], Path] | None:
    """The file row and where its content is, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(FILES).where(FILES.c.id == file_id)).mappings().first()
    if row is None:
        return None
    return dict(row), files_dir() / row["sha256"][:2] / row["sha256"]


def file_ids(value: Any) -> list[int]:
    """The ``file_id``s in an attachment / image field value (a list of descriptors)."""
    out = []
    for descriptor in value if isinstance(value, list) else []:
        raw = descriptor.get("file_id") if isinstance(descriptor, dict) else None
        if raw is not None and str(raw).isdigit():
            out.append(int(raw))
    return out


def attach(
    engine: sa.Engine,
    table: str,
    record_id: int,
    field_files: dict[str, list[int]],
    user_id: int | None,
) -> None:
    """Remember that the saved record ``table``/``record_id`` holds these files (per
    field). Only files this user uploaded and that no record holds yet are attached."""
    if user_id is None or not any(field_files.values()):
        return
    with write_transaction(engine) as conn:
        for field, ids in field_files.items():
            if ids:
                conn.execute(
                    FILES.update()
                    .where(
                        FILES.c.id.in_(ids),
                        FILES.c.record_id.is_(None),
                        FILES.c.uploaded_by == user_id,
                    )
                    .values(table_key=table, record_id=record_id, field_key=field)
                )
