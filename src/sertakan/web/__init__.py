"""The web pages: server-rendered Jinja2 + htmx, Bahasa Indonesia first, usable on a phone.

This package owns the HTML side of the app: the page routes (`pages.setup` wires them into the
FastAPI app), the templates, the static files (CSS, SVG, the vendored htmx) and the English
catalogue. It calls the services through the container (`request.app.state.container`) and
holds no rules of its own: every amount comes from the regulation, every check from a service.
"""
