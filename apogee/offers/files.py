"""What an uploaded offer document is: its name made safe, and its type read from its bytes.

The type is sniffed from the content, never taken from the browser's Content-Type,
and must agree with the file's extension: a page renamed "offer.pdf" is refused.
Office files are ZIP archives; their parts tell a Word document from a workbook.
No Django models here: the service stores what this module accepts.
"""

import codecs
import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

MAX_NAME = 200


@dataclass(frozen=True)
class Kind:
    key: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {
    kind.key: kind
    for kind in (
        Kind("pdf", "application/pdf", (".pdf",)),
        Kind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
        Kind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        Kind("zip", "application/zip", (".zip",)),
        Kind("png", "image/png", (".png",)),
        Kind("jpeg", "image/jpeg", (".jpg", ".jpeg")),
        Kind("txt", "text/plain; charset=utf-8", (".txt",)),
        Kind("csv", "text/csv; charset=utf-8", (".csv",)),
    )
}
ALLOWED_EXTENSIONS = tuple(ext for kind in KINDS.values() for ext in kind.extensions)
# The part that makes a ZIP an Office document of each kind.
_OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


class NotAllowed(ValueError):
    """The file is not one of the accepted kinds, or its content does not match its extension."""


def clean_filename(name: str) -> str:
    """The uploaded name, for display and the download's Content-Disposition only.

    Directories (either slash) are dropped, control characters removed, length capped
    with the extension kept; an empty result becomes "document".
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        return "document"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot else ""
        name = (stem if dot else name)[: MAX_NAME - len(ext) - 1].rstrip() + ("." + ext if ext else "")
    return name


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


def sniff(stream: BinaryIO, name: str) -> Kind:
    """The kind of the file in `stream` (seekable; left at its start), given its cleaned name."""
    ext = extension_of(name)
    if ext not in ALLOWED_EXTENSIONS:
        raise NotAllowed("extension")
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        found = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        found = "jpeg"
    elif head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        found = _zip_kind(stream, ext)
    elif _is_text(stream):
        found = "csv" if ext == ".csv" else "txt"
    else:
        raise NotAllowed("content")
    stream.seek(0)
    if ext not in KINDS[found].extensions:
        raise NotAllowed("mismatch")
    return KINDS[found]


def _zip_kind(stream: BinaryIO, ext: str) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise NotAllowed("content") from None
    for key, part in _OFFICE_PARTS.items():
        if part in names and ext in KINDS[key].extensions:
            return key
    return "zip"


def _is_text(stream: BinaryIO) -> bool:
    """UTF-8 (a BOM allowed) without NUL bytes: plain text or CSV."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in iter(lambda: stream.read(64 * 1024), b""):
        if b"\x00" in chunk:
            return False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sha256_of(stream: BinaryIO) -> str:
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(64 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
