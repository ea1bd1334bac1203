"""Fixtures shared by the whole suite: throw-away PostgreSQL databases and a headless Chromium.

Real services are optional on a laptop and mandatory in CI (``.ci/run``):

* PostgreSQL unreachable -> the tests that need it SKIP with the reason (see ``pytest -ra``),
  or FAIL when ``SERTAKAN_REQUIRE_POSTGRES=1``.
* Chromium missing or not starting -> the same, with ``SERTAKAN_REQUIRE_BROWSER=1``.

Fixtures:
    postgres_server     (session)  SQLAlchemy ``URL`` of the server (SERTAKAN_TEST_POSTGRES_URL)
    postgres_url        (session)  URL string of a fresh database shared by the session
    fresh_postgres_url  (function) URL string of a fresh database of the test's own (migrations)
    chromium_path       (session)  /usr/bin/chromium, or SERTAKAN_CHROMIUM
    browser             (session)  playwright ``Browser`` (headless Chromium)
    page                (function) playwright ``Page`` in its own context (id-ID, Asia/Jakarta,
                                   10 s timeouts); screenshot saved to
                                   test-artifacts/screenshots/<test name>.png after the test
To serve an app for the browser: ``tests.support.server.live_server``.

No personal data in logs: every log record of the run is checked as it is emitted
(``tests.support.log_guard``); a record with an unmasked NIK or mobile number fails the test that
logged it (and the run, when no test was running), naming the logger, never the value.

Tests under tests/integration are marked ``postgres`` and those under tests/browser ``browser``,
as is any test using the fixtures above; ``-m "not browser"`` deselects them.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from tests.support import postgres
from tests.support.log_guard import LogGuard

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from sqlalchemy.engine import URL

REQUIRE_POSTGRES = "SERTAKAN_REQUIRE_POSTGRES"
REQUIRE_BROWSER = "SERTAKAN_REQUIRE_BROWSER"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # Chromium refuses to start its sandbox as root (CI containers)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_TIMEOUT_MS = 10_000
SCREENSHOT_DIR = Path("test-artifacts") / "screenshots"  # relative to the rootdir

POSTGRES_FIXTURES = {"postgres_server", "postgres_url", "fresh_postgres_url"}
BROWSER_FIXTURES = {"chromium_path", "browser", "page"}


def _required(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str, variable: str) -> NoReturn:
    """Skip with the reason, or fail with it when the service is required."""
    if _required(variable):
        pytest.fail(f"{reason} ({variable}=1 requires it)", pytrace=False)
    pytest.skip(f"{reason}; set {variable}=1 to make this a failure")


# --- no personal data in any log record of the run ----------------------------------------------

LOG_GUARD = LogGuard()


def pytest_configure(config: pytest.Config) -> None:
    LOG_GUARD.attach()


def pytest_unconfigure(config: pytest.Config) -> None:
    LOG_GUARD.detach()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Again before each test: a logging configuration (uvicorn's) may have made new loggers that
    # do not propagate to the root.
    LOG_GUARD.attach()
    LOG_GUARD.current_test = item.nodeid


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    LOG_GUARD.current_test = ""
    if LOG_GUARD.offences and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if LOG_GUARD.offences:
        terminalreporter.section("personal data in the logs", sep="!", red=True, bold=True)
        for offence in dict.fromkeys(LOG_GUARD.offences):
            terminalreporter.line(offence.describe(), red=True)


# --- markers -----------------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests_dir = config.rootpath / "tests"
    for item in items:
        try:
            folder = item.path.relative_to(tests_dir).parts[0]
        except (ValueError, IndexError):
            folder = ""
        fixtures = set(getattr(item, "fixturenames", ()))
        if folder == "integration" or fixtures & POSTGRES_FIXTURES:
            item.add_marker(pytest.mark.postgres)
        if folder == "browser" or fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> URL:
    """The PostgreSQL server; checked once per session (a skip or failure is cached by pytest)."""
    url = postgres.server_url()
    problem = postgres.check_reachable(url)
    if problem is not None:
        _unavailable(
            f"PostgreSQL not reachable at {postgres.describe(url)}: {problem}", REQUIRE_POSTGRES
        )
    return url


@pytest.fixture(scope="session")
def postgres_url(postgres_server: URL) -> Iterator[str]:
    """A fresh database for the whole session, dropped at the end (``WITH (FORCE)``)."""
    with postgres.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture
def fresh_postgres_url(postgres_server: URL) -> Iterator[str]:
    """A fresh empty database for this test alone (migrations up and down, crash recovery)."""
    with postgres.fresh_database(postgres_server) as url:
        yield url


# --- Browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("SERTAKAN_CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        _unavailable(
            f"Chromium not found at {path} (apt-get install chromium, or set SERTAKAN_CHROMIUM)",
            REQUIRE_BROWSER,
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _unavailable(f"the playwright package is not installed: {exc}", REQUIRE_BROWSER)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS, timeout=30_000
            )
        except PlaywrightError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            _unavailable(
                f"Chromium at {chromium_path} did not start: {first_line}", REQUIRE_BROWSER
            )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    from playwright.sync_api import expect

    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    context = browser.new_context(
        locale="id-ID", timezone_id="Asia/Jakarta", viewport={"width": 1280, "height": 800}
    )
    new_page = context.new_page()
    new_page.set_default_timeout(PAGE_TIMEOUT_MS)
    new_page.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    try:
        yield new_page
    finally:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Screenshot the page after the test body ran (or setup failed), before teardown closes it."""
    report: pytest.TestReport = yield
    _judge_logs(item, report)
    page = getattr(item, "funcargs", {}).get("page")
    if page is not None and (report.when == "call" or (report.when == "setup" and report.failed)):
        _save_page(item, page, report)
    return report


def _judge_logs(item: pytest.Item, report: pytest.TestReport) -> None:
    """Fail the test, at its last phase, if it logged personal data (the log guard)."""
    if report.when != "teardown":
        return
    LOG_GUARD.current_test = ""  # what is logged from now on is outside any test
    mine = [o for o in LOG_GUARD.offences if o.test == item.nodeid]
    if mine:
        report.outcome = "failed"
        lines = "\n".join(o.describe() for o in dict.fromkeys(mine))
        report.longrepr = f"personal data in the logs (OWASP Logging Cheat Sheet):\n{lines}"


def _save_page(item: pytest.Item, page: Page, report: pytest.TestReport) -> None:
    folder = item.config.rootpath / SCREENSHOT_DIR
    stem = re.sub(r"[^\w.-]+", "_", item.name).strip("_")
    screenshot = folder / f"{stem}.png"
    lines = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=screenshot, full_page=True, timeout=5_000)
        lines.append(f"screenshot: {screenshot}")
        if report.failed:
            html = folder / f"{stem}.html"
            html.write_text(page.content(), encoding="utf-8")
            lines.append(f"page HTML:  {html}")
            lines.append(f"page URL:   {page.url}")
    except Exception as exc:  # a crashed page must not hide the test's own failure
        lines.append(f"could not save the page: {type(exc).__name__}: {exc}")
    report.sections.append(("browser artifacts", "\n".join(lines)))


@pytest.fixture(autouse=True)
def app_logs_restored() -> Iterator[None]:
    """`sertakan serve` points the platform's log at the console it runs in (`show_app_logs`);
    under a CliRunner that is a captured stream, closed after the call. Take such a handler off
    after every test, so later tests do not log into a closed file."""
    logger = logging.getLogger("sertakan")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)
