"""Walking the portal's pages in a browser: crawl the links a user can follow, and check what
the browser shows (horizontal scroll, untranslated catalogue strings, axe-core)."""

import re
from functools import cache
from pathlib import Path

import polib
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
SKIP = re.compile(
    r"(\.(pdf|csv|xlsx|ics|json|png|svg)$)"
    r"|/(export|download|pdf|source|template|logout|api|admin|static)/?|/i18n/|/media/"
)
# Django's own texts that our catalogue translates (Django's Dutch lacks them).
DJANGO_TEXTS = ("- Select an option -",)

VISIBLE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const element = node.parentElement;
    if (!element || element.closest("script, style, template, [hidden], svg title")) continue;
    // Text marked as another language on purpose (a category's English name).
    if (element.closest("[lang]").lang !== document.documentElement.lang) continue;
    if (element.closest("svg")) { texts.push(text); continue; }
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    if (box.width === 0 && box.height === 0 && element.tagName !== "OPTION") continue;
    texts.push(text);
  }
  document.querySelectorAll("[placeholder], [aria-label], [title]").forEach((element) => {
    for (const name of ["placeholder", "aria-label", "title"]) {
      const value = element.getAttribute(name);
      if (value) texts.push(value.trim());
    }
  });
  return texts;
}"""


@cache
def english_only_msgids() -> frozenset[str]:
    """The catalogue's English texts whose Dutch differs: seen on a Dutch page, they are
    untranslated. Texts with placeholders and very short ones are left out."""
    catalog = polib.pofile(str(CATALOG))
    with translation.override("nl"):
        found = {text for text in DJANGO_TEXTS if translation.gettext(text) != text}
    for entry in catalog:
        if entry.obsolete or entry.msgid_plural or not entry.msgstr:
            continue
        if "%(" in entry.msgid or "{" in entry.msgid or len(entry.msgid) < 4:
            continue
        if entry.msgstr.strip() != entry.msgid.strip():
            found.add(entry.msgid.strip())
    return frozenset(found)


def untranslated(page) -> list[str]:
    msgids = english_only_msgids()
    return sorted({text for text in page.evaluate(VISIBLE_TEXTS) if text in msgids})


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def widest(page) -> str:
    """The element reaching furthest right, to say what overflows."""
    return page.evaluate(
        """() => { let best = null, right = 0;
        for (const el of document.body.querySelectorAll('*')) {
          const r = el.getBoundingClientRect().right;
          if (r > right + 0.5) { right = r; best = el; }
        }
        if (!best) return '';
        const name = best.className ? '.' + String(best.className).split(' ').join('.') : '';
        const text = (best.textContent || '').trim().slice(0, 60);
        return best.tagName.toLowerCase() + name + ' → ' + Math.round(right) + 'px: ' + text; }"""
    )


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per rule."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def links(page, prefix: str) -> list[str]:
    hrefs = page.evaluate(
        "Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        path = href.split("#")[0].split("?")[0]
        if path.startswith(prefix) and not SKIP.search(path) and path not in found:
            found.append(path)
    return found


def crawl(page, base_url: str, start: list[str], prefix: str, limit: int, per_pattern=2):
    """The paths a user reaches by following links from `start` (breadth first), at most
    `per_pattern` of each shape (/o/x/complaints/12/ and /13/ are one shape)."""
    queue, seen, shapes, visited = list(start), set(start), {}, []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        try:
            response = page.goto(base_url + path)
        except PlaywrightError as error:  # a link to a file: "Download is starting"
            if "Download" not in str(error):
                raise
            continue
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited.append(path)
        for found in links(page, prefix):
            shape = re.sub(r"\d+", "N", found)
            if found in seen or shapes.get(shape, 0) >= per_pattern:
                continue
            seen.add(found)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(found)
    return visited
