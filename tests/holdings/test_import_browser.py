"""The register import in the browser, in Bengali, with the real worker: upload a file with
errors, watch the check finish, read the rows with errors, confirm the valid holdings and
watch the import finish. Screenshots go to $SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client

from core.roles import Role
from holdings.models import Holding, HoldingImport
from holdings.services import holding_create

from .test_import import csv_bytes, row

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR", "")


@pytest.fixture
def officer_page(browser, live_server, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(make_user(Role.ASSESSOR))
    host = live_server.url.split("//")[1].split(":")[0]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    context.add_cookies(
        [
            {"name": "kcc_language", "value": "bn", "domain": host, "path": "/"},
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            },
        ]
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_an_officer_imports_a_register_in_bengali(officer_page, tmp_path):
    page = officer_page
    holding_create(ward=2, number="50")
    register = tmp_path / "register.csv"
    register.write_bytes(
        csv_bytes(
            row(number="1"),
            row(ward="99", number="2"),
            row(ward="৩", number="১২৩", rent="৯০,০০০", valuation_fy="২০২৫-২৬"),
            row(ward="2", number="50"),
            row(number="4", share="60"),
            row(number="4", share="60", name_bn="রহিম", name_en="Rahim"),
        )
    )
    page.goto("/holdings/import/")
    assert page.locator("#recent-imports").count() == 0
    shot(page, "import-empty")
    page.set_input_files("input[type=file]", str(register))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url("**/holdings/import/*/")
    # The page refreshes itself until the worker has checked the file.
    page.wait_for_selector("#check-heading", timeout=60_000)
    text = page.inner_text("main")
    assert "৯৯" in text  # the unknown ward, in Bengali digits
    assert page.locator("#id_confirm").count() == 1
    shot(page, "import-check")
    page.check("#id_confirm")
    page.locator("button[value=only_valid]").click()
    page.wait_for_selector("#import-done", timeout=60_000)
    shot(page, "import-done")
    job = HoldingImport.objects.get()
    assert job.status == "imported" and job.imported_holdings == 2
    assert set(Holding.objects.values_list("ward__number", "number")) == {
        (1, "1"),
        (3, "123"),
        (2, "50"),
    }
    page.goto("/holdings/import/")
    assert page.locator("#recent-imports tbody tr").count() == 1
