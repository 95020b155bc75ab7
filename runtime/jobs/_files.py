"""Files a job produces (export workbooks, import error reports), kept per job under
``<KAIROS_HOME>/jobs/<job id>/``.

Names are checked rather than rewritten: a handler that passes ``商机导出.xlsx`` gets
exactly that file back, while anything that could leave the job's folder (separators,
``..``, a leading dot, control characters) is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from runtime.config import home_dir

MAX_NAME = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


class UnsafeFileName(ValueError):
    """A job file name that could escape the job's folder or is not portable."""


def check_file_name(name: str) -> str:
    """``name`` when it is a plain, portable file name; raises UnsafeFileName otherwise."""
    if (
        not name
        or len(name) > MAX_NAME
        or name.startswith(".")
        or name != name.strip()
        or _UNSAFE.search(name)
    ):
        raise UnsafeFileName(name)
    return name


def job_dir(job_id: int) -> Path:
    return home_dir() / "jobs" / str(int(job_id))


def save_job_file(job_id: int, name: str, data: bytes) -> str:
    folder = job_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / check_file_name(name)).write_bytes(data)
    return name


def job_file(job_id: int, name: str) -> Path | None:
    """The stored file, or None when the name is unsafe or nothing was saved under it."""
    try:
        path = job_dir(job_id) / check_file_name(name)
    except UnsafeFileName:
        return None
    return path if path.is_file() else None


def job_files(job_id: int) -> list[str]:
    folder = job_dir(job_id)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file())
