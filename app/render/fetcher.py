"""The URL fetcher of the reports: the templates' own files and the round's attachments, nothing else.

A report prints what users typed. Autoescaping keeps their text from becoming markup; this
fetcher is the second wall: even markup that got through could not read a local file
(``file:///etc/passwd``) or reach the network. WeasyPrint 70 calls ``fetch`` for every
stylesheet, image and ``@font-face`` source.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .assets import ATTACHMENT_SCHEME
from .engine import weasyprint

__all__ = ["FetchRefused", "Fetched", "ReportFetcher"]

#: the types of what the templates use, fixed: ``mimetypes`` reads the Windows registry, where a
#: program may have said ``.css`` is ``text/plain``, and WeasyPrint ignores a stylesheet of any
#: other type (the report came out unstyled, five pages longer: Windows review)
MEDIA_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".ttc": "font/collection",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class FetchRefused(ValueError):
    """A URL outside what the report may read; WeasyPrint logs it and leaves the resource out."""


@dataclass(frozen=True)
class Fetched:
    url: str
    served: bool


class ReportFetcher(weasyprint.urls.URLFetcher):
    """Serves files under ``roots`` (and the single ``files``), and ``attachments`` by id (the
    report model's images, at print resolution already).

    Every request is recorded in :attr:`requests`, served or refused, so that tests and the
    log can show what a report asked for.
    """

    def __init__(
        self,
        roots: Iterable[Path],
        files: Iterable[Path] = (),
        attachments: Mapping[str, tuple[bytes, str]] | None = None,
    ) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", ATTACHMENT_SCHEME), allow_redirects=False)
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.files = frozenset(Path(f).resolve() for f in files)
        self.attachments = dict(attachments or {})
        self.requests: list[Fetched] = []

    @property
    def refused(self) -> list[str]:
        return [r.url for r in self.requests if not r.served]

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> weasyprint.urls.URLFetcherResponse:
        try:
            body, media_type = self._read(url)
        except FetchRefused:
            self.requests.append(Fetched(url, served=False))
            raise
        self.requests.append(Fetched(url, served=True))
        return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": media_type})

    def _read(self, url: str) -> tuple[bytes, str]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == ATTACHMENT_SCHEME:
            found = self.attachments.get(parts.path)
            if found is None:
                raise FetchRefused(f"不是本轮自查的附件：{url}")
            return found  # at print resolution already (the report model scaled it)
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"报告不读取网络或其他来源的资源：{url}")
        # resolve() follows symlinks and '..', so a path cannot climb out of a root
        path = Path(url2pathname(parts.path)).resolve()
        allowed = path in self.files or any(path.is_relative_to(root) for root in self.roots)
        if not allowed or not path.is_file():
            raise FetchRefused(f"报告只读取模板文件夹中的文件：{url}")
        media_type = MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        return path.read_bytes(), media_type or "application/octet-stream"
