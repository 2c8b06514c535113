"""Attachments of the public form and the public API: PDF, PNG or JPEG, recognised by their
first bytes (never by the name the browser sends), size-limited, at most a few per complaint."""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
}


def max_bytes() -> int:
    return getattr(settings, "COMPLAINTS_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


def max_files() -> int:
    return getattr(settings, "COMPLAINTS_ATTACHMENT_MAX_FILES", 3)


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    mime_type: str
    content: bytes


def sniff(head: bytes) -> str | None:
    """The type the content really is, or None when it is none of the accepted ones."""
    for mime_type, signatures in SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return mime_type
    return None


def safe_filename(name: str) -> str:
    """The base name only, without path parts or control characters, at most 120 characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned[-120:] or "attachment"


def check_upload(upload) -> CheckedFile:
    """Read and check one uploaded file; raise ValidationError naming the file and the reason."""
    name = safe_filename(upload.name or "")
    if upload.size > max_bytes():
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s per file.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes()),
            }
        )
    content = b"".join(upload.chunks())
    mime_type = sniff(content[:16])
    if mime_type is None:
        raise ValidationError(_("%(name)s is not a PDF, PNG or JPEG file.") % {"name": name})
    if PurePath(name).suffix.lower() not in EXTENSIONS[mime_type]:
        # A PNG named .pdf (or the other way round) is a disguised file: refuse it rather than
        # guess what the sender meant.
        raise ValidationError(
            _("%(name)s does not contain what its name says (it is not a %(ext)s file).")
            % {"name": name, "ext": PurePath(name).suffix or _("known")}
        )
    return CheckedFile(filename=name, mime_type=mime_type, content=content)


def check_uploads(uploads) -> list[CheckedFile]:
    """Check every uploaded file of one complaint (the web form and the public API alike);
    raise one ValidationError listing each refused file with its reason."""
    uploads = [upload for upload in uploads or [] if upload]
    if len(uploads) > max_files():
        raise ValidationError(_("Attach at most %(count)s files.") % {"count": max_files()})
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked
