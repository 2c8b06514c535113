"""PDF text for assertions, read with pypdf (a pinned Python library, no system binary)."""

import io
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text of every page, pages separated by a newline."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def first_page_png(pdf: Path, stem: Path) -> None:
    """`stem`-1.png: the PDF's first page to look at, where poppler's pdftoppm is installed."""
    if shutil.which("pdftoppm"):
        command = ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(stem)]
        subprocess.run(command, check=True)
