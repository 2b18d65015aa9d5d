"""A citizen signs up with a mobile number and the code from the SMS outbox, then
switches the language and sees the dashboard in English."""

import re

import pytest

from accounts.models import SmsMessage, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_signs_up_and_switches_to_english(page, tmp_path):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "bn"
    page.get_by_role("link", name="নিবন্ধন").first.click()
    page.get_by_label("মোবাইল নম্বর").fill("০১৭১৫-১২৩৪৫৬")  # Bengali digits on purpose
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    sms = SmsMessage.objects.filter(to="01715123456", kind="code").latest("pk")
    code = re.search(r"\d{6}", sms.text).group()
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert page.locator("h1").inner_text().startswith("স্বাগতম")
    assert User.objects.get(mobile="01715123456").mobile_verified

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="My holdings").is_visible()
    assert page.get_by_role("heading", name="What I owe").is_visible()
    page.screenshot(path=str(tmp_path / "dashboard-en.png"), full_page=True)
