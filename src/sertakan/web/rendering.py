"""Turning a template and a context into an HTML response, in the reader's language.

One Jinja2 `Environment` per language, each with its own gettext translations installed, so
two requests in different languages never share a `_()` (thread-safe by construction). The
language comes from `?lang=` or the `lang` cookie (`i18n.choose_locale`); asking with `?lang=`
remembers the choice in the cookie.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sertakan.access.permissions import Permission, allows
from sertakan.http.auth import csrf_token, current_actor
from sertakan.web import i18n
from sertakan.web.next_target import here, sign_in_url

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600  # a year: shared kiosks keep their language


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # "id" or "en"
    name: str  # the language's own name, as the switch shows it


LANGUAGES = (Language("id", "Bahasa Indonesia"), Language("en", "English"))


def _htmx_file() -> str:
    """The vendored htmx script (exactly one version is kept, see static/vendor/README.md)."""
    (script,) = (STATIC_DIR / "vendor").glob("htmx-*.min.js")
    return script.name


def _format_date(value: dt.date, locale: str) -> str:
    return i18n.format_date_long(value, locale)


class PageRenderer:
    """Renders templates in the request's language. Built once per app by `pages.setup`."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        translations = i18n.load_translations()
        self._translations = {
            lang: translations.get(lang, translations[i18n.DEFAULT]) for lang in i18n.SUPPORTED
        }
        htmx = _htmx_file()
        self._environments: dict[str, Environment] = {}
        for lang in i18n.SUPPORTED:
            env = Environment(
                loader=FileSystemLoader(templates_dir),
                autoescape=select_autoescape(["html"]),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            # babel.cfg extracts {% trans %} blocks with the trimmed policy (i18n.py docstring).
            env.policies["ext.i18n.trimmed"] = True
            env.install_gettext_translations(  # type: ignore[attr-defined]
                self._translations[lang], newstyle=True
            )
            env.filters["rupiah"] = partial(i18n.format_rupiah, locale=lang)
            # Every date a page shows goes through these three (i18n.py): one spelling per
            # language, never ISO.
            env.filters["date_long"] = partial(_format_date, locale=lang)
            env.filters["month_long"] = partial(i18n.format_month, locale=lang)
            env.filters["moment"] = partial(i18n.format_moment, locale=lang)
            env.globals.update(lang=lang, languages=LANGUAGES, htmx_file=htmx)
            self._environments[lang] = env

    def locale(self, request: Request) -> str:
        return i18n.choose_locale(
            request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)
        )

    def gettext(self, request: Request, message: str) -> str:
        """A message id translated into the request's language (the id itself when unknown)."""
        return self._translations[self.locale(request)].gettext(message)

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
    ) -> HTMLResponse:
        lang = self.locale(request)
        env = self._environments[lang]
        actor = current_actor(request)
        page = env.get_template(template).render(
            {
                "request": request,
                "current_path": request.url.path,
                "switch_url": partial(_switch_url, request),
                "actor": actor,
                "can": partial(_can, actor.role),
                "sign_in_url": sign_in_url,
                "here": here(request),
                "csrf_token": csrf_token(request),
                **(context or {}),
            }
        )
        response = HTMLResponse(page, status_code=status_code)
        remember_language(request, response, lang)
        return response


def remember_language(request: Request, response: HTMLResponse, lang: str) -> None:
    """Asking with `?lang=` sets the cookie, so the next pages and htmx requests follow."""
    if request.query_params.get("lang") and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE, httponly=True, samesite="lax"
        )


def _can(role: Any, permission: str) -> bool:
    """`can("member.search")` in templates: show only the links the reader may follow."""
    return allows(role, Permission(permission))


def _switch_url(request: Request, lang: str) -> str:
    """The current page in another language: its path and query with `lang` replaced."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    query.append(("lang", lang))
    return f"{request.url.path}?{urlencode(query)}"
