"""What every page handler needs, built once by `pages.setup` and kept on `app.state.web`."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from sertakan.bootstrap import Container
from sertakan.web.region_picker import RegionTree
from sertakan.web.rendering import PageRenderer


@dataclass(frozen=True, slots=True)
class WebState:
    renderer: PageRenderer
    regions: RegionTree


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container
