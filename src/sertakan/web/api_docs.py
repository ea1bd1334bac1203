"""`/docs`: the API's interactive documentation (Swagger UI), served offline.

FastAPI's default page loads Swagger UI from a CDN, so a branch office without internet (or a
laptop on a train) saw a blank page. The `swagger-ui-bundle` package ships Swagger UI's files;
they are served from `/docs/assets/` and FastAPI's own page generator is pointed at them.

The page's one inline script (which starts Swagger UI) is allowed by its SHA-256 hash in the
page's own Content-Security-Policy, not by 'unsafe-inline' (CSP Level 3 §8.3, hash-source;
OWASP Content Security Policy Cheat Sheet, "hashes"). ReDoc is not offered: no package ships
it, and one documentation page is enough.

The packaged Swagger UI (4.15) predates OpenAPI 3.1, which FastAPI writes, and refuses to draw
it ("Unable to render this definition"). The page therefore reads `/docs/openapi-3.0.json`:
the same document said in OpenAPI 3.0 words (`openapi_30`). `/openapi.json` stays the 3.1
original for every other client.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any, cast

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

# No type information shipped; the package is one path to its files.
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from sertakan.web.security import docs_content_security_policy

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
OPENAPI_30_PATH = "/docs/openapi-3.0.json"
OPENAPI_30 = "3.0.3"
SWAGGER_UI_DIR: str = swagger_ui_path
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def setup(app: FastAPI) -> None:
    """Serve `/docs` and its assets. Build the app with `docs_url=None, redoc_url=None`."""
    page = docs_page(OPENAPI_30_PATH, f"{app.title} API")
    app.mount(ASSETS_PATH, StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")

    async def docs(request: Request) -> Response:
        return HTMLResponse(
            page.body,
            headers={"Content-Security-Policy": page.headers["Content-Security-Policy"]},
        )

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_30(app.openapi()))

    # Plain routes like FastAPI's own docs routes: not API operations, open to everyone (they
    # show the public OpenAPI document, which /openapi.json serves anyway).
    app.add_route(DOCS_PATH, docs, include_in_schema=False)
    app.add_route(OPENAPI_30_PATH, openapi, include_in_schema=False)


def openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI 3.1 `document` in the words of 3.0, for Swagger UI 4: a nullable `anyOf`
    (`[X, {"type": "null"}]`) becomes X with `nullable`, a schema's `examples` list its first
    `example`, `const` a one-value `enum`, and numeric exclusive bounds the 3.0 boolean form."""
    converted = _schema_30(document)
    converted["openapi"] = OPENAPI_30
    return cast("dict[str, Any]", converted)


def _schema_30(node: Any) -> Any:
    if isinstance(node, list):
        return [_schema_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _schema_30(value) for key, value in node.items()}
    options = out.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        del out["anyOf"]
        if len(rest) == 1 and "$ref" not in rest[0]:
            out = {**rest[0], **out}
        else:
            out["anyOf" if len(rest) > 1 else "allOf"] = rest
        out["nullable"] = True
    if isinstance(out.get("examples"), list):  # a schema's examples; 3.0's are a map elsewhere
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), int | float) and not isinstance(out.get(bound), bool):
            out[limit] = out[bound]
            out[bound] = True
    return out


def docs_page(openapi_url: str, title: str) -> HTMLResponse:
    """Swagger UI's page with our own asset URLs, and the policy that lets exactly its inline
    start script run."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
    )
    html = bytes(page.body).decode()
    hashes = [script_hash(script) for script in _INLINE_SCRIPT.findall(html)]
    page.headers["Content-Security-Policy"] = docs_content_security_policy(hashes)
    return page


def script_hash(script: str) -> str:
    """The CSP hash-source of an inline script's text: 'sha256-<base64 digest>'."""
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"
