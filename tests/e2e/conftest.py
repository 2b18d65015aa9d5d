"""Browser-test harness: Playwright driving the system Chromium against the live server."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# test body itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs it (apt package chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="bn-BD")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def signed_in(browser, live_server, settings):
    """page = signed_in(user=None): a browser page in English, signed in as `user`
    (each user with a session of their own), with the gateway simulator and its callbacks
    pointed at the live server."""
    from django.test import Client

    settings.SITE_URL = live_server.url
    settings.SSLCOMMERZ_BASE_URL = live_server.url + settings.SSLCOMMERZ_SIMULATOR_PATH
    host = live_server.url.split("//")[1].split(":")[0]
    contexts = []

    def open_as(user=None):
        cookies = [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"}
        ]
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies.append(
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "domain": host,
                    "path": "/",
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                }
            )
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies(cookies)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """phone(user=None, lang="en", viewport=PHONE): a touch-screen page, signed in as `user`."""
    from django.conf import settings
    from django.test import Client

    host = live_server.url.split("//")[1].split(":")[0]
    contexts = []

    def open_as(user=None, lang="en", viewport=PHONE):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            device_scale_factor=2,
            is_mobile=viewport == PHONE,
            has_touch=viewport == PHONE,
        )
        cookies = [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "domain": host, "path": "/"}
        ]
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies.append(
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "domain": host,
                    "path": "/",
                }
            )
        context.add_cookies(cookies)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_as
    for context in contexts:
        context.close()
