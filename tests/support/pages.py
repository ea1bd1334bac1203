"""Reading a page as its reader does (one home: four test modules each had a copy)."""

from __future__ import annotations

import html
import re


def text_of(page: object) -> str:
    """The page's text as a reader sees it, from its HTML or a response carrying it: tags
    dropped, entities decoded, spaces folded."""
    raw = page if isinstance(page, str) else getattr(page, "text", "")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())
