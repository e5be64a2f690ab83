"""Attachment checks: size, type by extension AND content, safe storage, guarded reading."""

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bastau.accounts.scoping import Scope
from bastau.core import files as attachments
from bastau.core.models import AuditEvent
from bastau.reception import services
from bastau.reception.models import Attachment

from ..factories.reception import public_data, register

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100


def office_zip(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def real_xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Тізім"
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpeg", JPG, "image/jpeg"),
        ("photo.jpg", JPG, "image/jpeg"),
        ("letter.docx", office_zip("word/document.xml"), attachments.CONTENT_TYPES["docx"]),
        ("table.xlsx", real_xlsx(), attachments.CONTENT_TYPES["xlsx"]),
        ("note.txt", "Сәлеметсіз бе!\r\nТүсіндіріңізші.\n".encode(), "text/plain"),
        ("note1251.txt", "Здравствуйте".encode("cp1251"), "text/plain"),
    ],
)
def test_accepted_files(name, content, content_type):
    checked = attachments.check_file(upload(name, content, "application/x-whatever"))
    assert checked.content_type == content_type  # detected, not what the browser said
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("scan.pdf", EXE, "content"),  # an executable named .pdf
        ("photo.png", JPG, "content"),  # a JPEG named .png
        ("photo.jpg", PDF, "content"),
        ("letter.docx", office_zip("xl/workbook.xml"), "content"),  # a workbook named .docx
        ("letter.docx", b"PK\x03\x04garbage", "content"),
        ("table.xlsx", office_zip("word/document.xml"), "content"),
        ("note.txt", EXE, "content"),  # NUL bytes: not text
        ("program.exe", EXE, "type"),
        ("page.html", b"<html></html>", "type"),
        ("archive.zip", office_zip("word/document.xml"), "type"),
        ("noextension", PDF, "type"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_files(name, content, code):
    with pytest.raises(ValidationError) as exc:
        attachments.check_file(upload(name, content))
    assert exc.value.code == code


def test_size_limit(settings):
    settings.RECEPTION_ATTACHMENT_MAX_BYTES = 2 * attachments.MB
    big = PDF + b"0" * (2 * attachments.MB)
    with pytest.raises(ValidationError) as exc:
        attachments.check_file(upload("big.pdf", big))
    assert exc.value.code == "size"
    assert "2 MB" in exc.value.messages[0]
    assert attachments.check_file(upload("ok.pdf", PDF + b"0" * (attachments.MB)))


def test_size_is_counted_not_trusted(settings):
    settings.RECEPTION_ATTACHMENT_MAX_BYTES = 1024
    lying = upload("big.pdf", PDF + b"0" * 5000)
    lying.size = 10  # what a crafted request could claim
    with pytest.raises(ValidationError) as exc:
        attachments.check_file(lying)
    assert exc.value.code == "size"


def test_default_limit_is_ten_megabytes():
    assert attachments.max_bytes() == 10 * attachments.MB


def test_too_many_files():
    files = [upload(f"{i}.pdf", PDF) for i in range(attachments.max_count() + 1)]
    with pytest.raises(ValidationError) as exc:
        attachments.check_files(files)
    assert "attachments" in exc.value.message_dict


def test_clean_name():
    assert attachments.clean_name("C:\\Users\\x\\скан 1.pdf") == "скан 1.pdf"
    assert attachments.clean_name("../../etc/passwd") == "passwd"
    assert attachments.clean_name("a\x00b\n.pdf") == "ab.pdf"
    assert attachments.clean_name("") == "file"


@pytest.mark.django_db
def test_stored_privately_under_random_paths(rw, settings):
    services.submit_public_appeal(
        public_data(rw),
        files=[upload("Менің арызым.pdf", PDF, "application/pdf"), upload("photo.png", PNG)],
    )
    first, second = Attachment.objects.order_by("pk")
    assert first.original_name == "Менің арызым.pdf"
    assert first.content_type == "application/pdf"
    parts = first.file.name.split("/")
    assert parts[0] == "appeals" and len(parts[1]) == 32 and parts[2] == "file.pdf"
    assert first.file.name.split("/")[1] != second.file.name.split("/")[1]
    assert (settings.MEDIA_ROOT / first.file.name).read_bytes() == PDF
    with pytest.raises(ValueError):
        first.file.url  # noqa: B018 - no public URL


@pytest.mark.django_db
def test_open_attachment_checks_access_and_logs(rw):
    appeal = register(rw)
    attachment = services.add_attachment(Scope(rw.officer), appeal, upload("answer.pdf", PDF))
    assert appeal.events.filter(kind="attachment").exists()
    with pytest.raises(PermissionDenied):
        services.open_attachment(rw.other_secretary, attachment)
    handle, content_type, name = services.open_attachment(rw.officer, attachment)
    with handle:
        assert handle.read() == PDF
    assert (content_type, name) == ("application/pdf", "answer.pdf")
    event = AuditEvent.objects.get(action="appeal.personal_data_read")
    assert event.data == {"what": f"attachment:{attachment.pk}"}


@pytest.mark.django_db
def test_staff_cannot_attach_bad_files_or_to_others_appeals(rw):
    appeal = register(rw)
    with pytest.raises(ValidationError):
        services.add_attachment(Scope(rw.officer), appeal, upload("x.pdf", EXE))
    with pytest.raises(PermissionDenied):
        services.add_attachment(Scope(rw.other_officer), appeal, upload("x.pdf", PDF))
    assert not Attachment.objects.exists()
