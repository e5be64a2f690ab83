"""Files people attach (to appeals, meetings, execution reports): the checks, the private
storage they are kept in, and the abstract model of a stored file.

Checks: size, extension and the content behind it.

A file is accepted only when its extension is on the list AND its first bytes say the same
thing (a ".pdf" that starts with "MZ" is an executable and is refused). The content type we
store is the one we detected, never the one the browser sent.

Accepted: PDF, JPEG, PNG, DOCX, XLSX (Office Open XML zips holding the part that makes them a
document / a workbook) and plain text (UTF-8 or Windows-1251: no control bytes except tab,
line feed, carriage return and form feed).

Storage: `PrivateFileStorage` is MEDIA_ROOT with no public URL; pages stream the files through
permission-checked views, and web servers must not serve MEDIA_ROOT. `StoredFile` holds what
every attachment keeps besides its owner and its `file` field (which each model declares
with its own folder): the original name, size, detected content type, SHA-256, who uploaded
it and when.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MB = 1024 * 1024

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
}
#: Extension (lower case, no dot) -> the kind its content must be.
EXTENSIONS = {
    "pdf": "pdf",
    "jpg": "jpg",
    "jpeg": "jpg",
    "png": "png",
    "docx": "docx",
    "xlsx": "xlsx",
    "txt": "txt",
}
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ZIP_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def max_bytes() -> int:
    return getattr(settings, "RECEPTION_ATTACHMENT_MAX_BYTES", 10 * MB)


def max_count() -> int:
    return getattr(settings, "RECEPTION_ATTACHMENT_MAX_COUNT", 5)


@dataclass(frozen=True)
class CheckedFile:
    upload: object  # the file object, rewound
    original_name: str
    extension: str  # normalized: "jpg" for .jpeg
    content_type: str
    size: int
    sha256: str


def clean_name(name: str) -> str:
    """The original file name, safe to keep and show: no path, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(base) > 200:
        stem, extension = os.path.splitext(base)
        base = stem[: 200 - len(extension)] + extension
    return base or "file"


def _chunks(upload, size=64 * 1024):
    upload.seek(0)
    while True:
        chunk = upload.read(size)
        if not chunk:
            break
        yield chunk


def _content_matches(kind: str, upload, head: bytes) -> bool:
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "jpg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind in _ZIP_PARTS:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and _ZIP_PARTS[kind] in names
    if kind == "txt":
        return not any(_CONTROL_BYTES.search(chunk) for chunk in _chunks(upload))
    return False


def check_file(upload, *, limit: int | None = None) -> CheckedFile:
    """Validate one uploaded file (any object with .name, .read() and .seek()).

    Raises ValidationError with a message naming the file; nothing is stored here.
    """
    limit = limit or max_bytes()
    name = clean_name(getattr(upload, "name", ""))
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    kind = EXTENSIONS.get(extension)
    if kind is None:
        raise ValidationError(
            _("Files of this type are not accepted: %(name)s.") % {"name": name}
            + " "
            + _("Attach PDF, JPG, PNG, DOCX, XLSX or TXT files."),
            code="type",
        )
    declared = getattr(upload, "size", None)
    too_big = ValidationError(
        _("The file %(name)s is larger than %(limit)s MB.") % {"name": name, "limit": limit // MB},
        code="size",
    )
    if declared is not None and declared > limit:
        raise too_big
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in _chunks(upload):
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        size += len(chunk)
        if size > limit:
            raise too_big
        digest.update(chunk)
    if size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    if not _content_matches(kind, upload, head):
        raise ValidationError(
            _("The content of %(name)s is not what its extension says.") % {"name": name},
            code="content",
        )
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        original_name=name,
        extension=kind,
        content_type=CONTENT_TYPES[kind],
        size=size,
        sha256=digest.hexdigest(),
    )


def check_files(uploads) -> list[CheckedFile]:
    """Validate a batch; every problem is reported at once under the "attachments" field."""
    uploads = list(uploads or ())
    errors = []
    if len(uploads) > max_count():
        errors.append(_("Attach at most %(count)s files.") % {"count": max_count()})
    checked = []
    for upload in uploads:
        try:
            checked.append(check_file(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


# Storage and the stored-file model ---------------------------------------------------------
class PrivateFileStorage(FileSystemStorage):
    """MEDIA_ROOT files with no public URL: pages stream them through a permission-checked
    view (web servers must not serve MEDIA_ROOT/appeals/ or MEDIA_ROOT/activity/)."""

    def url(self, name):
        raise ValueError("Attachments have no public URL.")


def private_storage() -> PrivateFileStorage:
    return PrivateFileStorage()


class StoredFile(models.Model):
    """An attached file: type checked by extension and content (`check_file`), size limited.
    A concrete model adds its owner and its `file` field (upload_to, storage=private)."""

    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    size = models.PositiveIntegerField(gettext_lazy("size (bytes)"))
    content_type = models.CharField(gettext_lazy("content type"), max_length=100)
    sha256 = models.CharField(gettext_lazy("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]
        verbose_name = gettext_lazy("attachment")
        verbose_name_plural = gettext_lazy("attachments")

    def __str__(self):
        return self.original_name
