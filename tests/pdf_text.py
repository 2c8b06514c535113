"""PDF text for assertions, read with pypdf (a pinned Python library, no system binary), and
the PDFs kept in test-artifacts/ for a person to open."""

import io
from pathlib import Path

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text of every page, pages separated by a newline."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def keep_pdf(pdf: bytes, name: str) -> Path:
    """Write `pdf` to test-artifacts/<name>.pdf, to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    return path
