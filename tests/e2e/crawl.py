"""A bounded breadth-first crawl of the links a signed-in user is shown.

Used by test_links.py: every same-origin link reachable from the start page is followed (HTML
pages in the browser, downloads fetched for their status only) and every answer of 400 or more
is reported with the page that showed the link. The crawl is bounded: links that differ only in
their numbers (ids, pages, years) share one shape, and only a few of each shape are followed.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlsplit

DOWNLOAD_SUFFIXES = (".pdf", ".docx", ".xlsx", ".csv", ".json", ".zip")
#: Links never followed: signing out ends the crawl; Django's admin is crawled only at its index.
SKIPPED_PREFIXES = ("/accounts/logout", "/i18n/")
NOT_FOLLOWED_PREFIXES = ("/admin/", "/static/", "/media/")

LINKS_JS = """() => {
  const out = [];
  for (const a of document.querySelectorAll('a[href]')) {
    out.push({href: a.href, text: (a.innerText || a.getAttribute('aria-label') || '').trim(),
              download: a.hasAttribute('download')});
  }
  for (const el of document.querySelectorAll('[hx-get]')) {
    out.push({href: new URL(el.getAttribute('hx-get'), document.baseURI).href,
              text: 'hx-get', download: false});
  }
  return out;
}"""


@dataclass
class Failure:
    status: int
    url: str
    found_on: str
    text: str

    def __str__(self) -> str:
        return f"{self.status} {self.url}  (link «{self.text}» on {self.found_on})"


@dataclass
class CrawlResult:
    visited: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def shape(url: str) -> str:
    """The URL with its numbers blanked and its query reduced to the parameter names."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def is_download(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(DOWNLOAD_SUFFIXES) or "/export" in path or "/download" in path


def _check_status(page, url: str, found_on: str, text: str, result: CrawlResult) -> None:
    response = page.context.request.get(url, max_redirects=5)
    if response.status >= 400:
        result.failures.append(Failure(response.status, url, found_on, text))
    response.dispose()


def crawl(
    page,
    start_url: str,
    *,
    per_shape: int = 2,
    max_pages: int = 250,
    on_page: Callable[[object], None] | None = None,
) -> CrawlResult:
    """Follow the links from `start_url`; `on_page(page)` runs on every HTML page that opened
    (test_accessibility.py checks each one there)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start_url))
    result = CrawlResult()
    queue: deque[tuple[str, str, str]] = deque([(start_url, "(start)", "")])
    seen = {start_url}
    shapes: Counter[str] = Counter()
    while queue and len(result.visited) < max_pages:
        url, found_on, text = queue.popleft()
        result.visited.append(url)
        path = urlsplit(url).path
        if is_download(url) or path.startswith(NOT_FOLLOWED_PREFIXES):
            _check_status(page, url, found_on, text, result)
            continue
        try:
            response = page.goto(url)
        except Exception as exc:  # a link that answers with a file: its status is enough
            if "Download is starting" not in str(exc):
                raise
            _check_status(page, url, found_on, text, result)
            continue
        status = response.status if response is not None else 0
        if status >= 400:
            result.failures.append(Failure(status, url, found_on, text))
            continue
        if not page.url.startswith(origin):
            continue
        content_type = (response.headers.get("content-type", "") if response else "").lower()
        if "html" not in content_type:
            continue
        here = page.url
        if on_page is not None:
            on_page(page)
        for link in page.evaluate(LINKS_JS):
            target, _ = urldefrag(link["href"])
            if not target.startswith(origin + "/") or target in seen:
                continue
            target_path = urlsplit(target).path
            if target_path.startswith(SKIPPED_PREFIXES):
                continue
            seen.add(target)
            key = shape(target)
            if shapes[key] >= per_shape:
                continue
            shapes[key] += 1
            queue.append((target, here, link["text"][:60]))
    return result
