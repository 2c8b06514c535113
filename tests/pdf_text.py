"""PDF text for assertions, read with pypdf (a pinned Python library, no system binary)."""

import io

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text of every page, pages separated by a newline."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
