"""One way to render PDFs: a Django template through WeasyPrint, with no network access.

WeasyPrint is imported lazily (it loads Pango at import). The URL fetcher allows `data:` URLs
and Regie's own static files only; anything else (http, file paths, other hosts) is refused, so
a value typed by a user can never make the renderer fetch a URL.
"""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# Relative URLs in PDF templates resolve against this invented origin, never a real host.
BASE_URL = "https://regie.invalid/"


def static_file_for(url: str) -> Path | None:
    """The file behind one of our static URLs, or None for anything else."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(
        settings.STATIC_URL
    ):
        return None
    relative = parts.path[len(settings.STATIC_URL) :]
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / relative
    return collected if collected.is_file() else None


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_file_for(url)
            if path is None:
                raise ValueError(f"Refused to fetch {url!r} while rendering a PDF.")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type}, 200)

    return SafeURLFetcher(allowed_protocols={"data", "https"})


def render_pdf_with_pages(template_name: str, context: dict) -> tuple[bytes, int]:
    """Render `template_name` with `context` to PDF bytes, with the number of pages."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render `template_name` with `context` to PDF bytes."""
    return render_pdf_with_pages(template_name, context)[0]
