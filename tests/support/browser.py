"""Browser steps shared by the Playwright tests."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.support.auth import PASSWORD


def sign_in_as_staff(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in at /masuk as a staff account, as a person types it."""
    page.goto(base_url + "/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
