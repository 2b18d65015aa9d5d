"""In Chromium, under the Content-Security-Policy: a clerk signs in through the real pages
(number, code, then password), the admin opens after the same sign-in, and the staff API
docs render — with no policy violation anywhere."""

import re

import pytest

from accounts.models import SmsMessage
from core.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def watch_violations(page) -> list[str]:
    seen = []
    page.on(
        "console",
        lambda m: (
            seen.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    return seen


def test_administrator_signs_in_with_code_then_password_and_opens_the_admin(page, make_user):
    admin = make_user(Role.ADMINISTRATOR, mobile="01799900001", password="s3cret-admin-99")
    violations = watch_violations(page)
    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F"))
    page.locator("input[name=login]").fill(admin.mobile)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    assert page.locator("input[name=password]").count() == 0  # nothing said about staff yet
    sms = SmsMessage.objects.filter(to=admin.mobile, kind="code").latest("pk")
    page.locator("input[name=code]").fill(re.search(r"\d{6}", sms.text).group())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/password/"))
    page.locator("input[name=password]").fill("s3cret-admin-99")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.locator("#site-name").count() == 1
    page.goto("/admin/accounts/user/")
    page.wait_for_selector("#result_list")
    assert not violations, violations


def test_api_docs_render_under_the_policy(signed_in, make_user):
    page = signed_in(make_user(Role.REVENUE_OFFICER))
    violations = watch_violations(page)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 3
    assert not violations, violations
