"""Sign-up and sign-in with a mobile number and a one-time code; staff with password + code."""

import re

import pytest
import time_machine
from django.utils import timezone

from accounts.models import SmsMessage, User
from core.roles import Role

pytestmark = pytest.mark.django_db


def last_code(mobile: str) -> str:
    sms = SmsMessage.objects.filter(to=mobile, kind="code").order_by("-pk").first()
    assert sms is not None, f"no code was sent to {mobile}"
    return re.search(r"\b(\d{6})\b", sms.text).group(1)


def signup(client, phone: str):
    return client.post("/accounts/signup/", {"phone": phone}, follow=True)


def test_citizen_signs_up_with_mobile_and_code(client):
    response = signup(client, "01712345678")
    assert response.status_code == 200
    assert User.objects.filter(mobile="01712345678", mobile_verified=False).exists()
    code = last_code("01712345678")
    response = client.post(response.redirect_chain[-1][0], {"code": code}, follow=True)
    assert response.status_code == 200
    user = User.objects.get(mobile="01712345678")
    assert user.mobile_verified is True
    assert user.has_role(Role.CITIZEN)
    assert response.wsgi_request.user == user
    assert response.redirect_chain[-1][0] == "/dashboard/"


def test_bengali_digits_and_country_code_are_accepted(client):
    signup(client, "+৮৮০ ১৮১২-৩৪৫৬৭৮")
    assert User.objects.filter(mobile="01812345678").exists()


@pytest.mark.parametrize("phone", ["0171234567", "01212345678", "abcdefghijk", "+1 5551234567"])
def test_malformed_mobile_is_refused_in_bengali(client, phone):
    response = client.post("/accounts/signup/", {"phone": phone})
    assert response.status_code == 200
    body = response.content.decode()
    assert "১১ অঙ্কের" in body  # the Bengali error message
    assert User.objects.count() == 0
    assert SmsMessage.objects.count() == 0


def test_malformed_mobile_message_in_english(client):
    client.cookies["kcc_language"] = "en"
    response = client.post("/accounts/signup/", {"phone": "12345"})
    assert "11-digit" in response.content.decode()
    assert User.objects.count() == 0


def test_wrong_code_keeps_the_user_out(client):
    confirm_url = signup(client, "01712345678").redirect_chain[-1][0]
    response = client.post(confirm_url, {"code": "000000"})
    assert response.status_code == 200
    assert "ভুল কোড" in response.content.decode()
    user = User.objects.get(mobile="01712345678")
    assert user.mobile_verified is False
    assert not response.wsgi_request.user.is_authenticated


def test_citizen_signs_in_by_code(client, citizen):
    response = client.post("/accounts/login/code/", {"phone": citizen.mobile}, follow=True)
    assert response.status_code == 200
    code = last_code(citizen.mobile)
    response = client.post("/accounts/login/code/confirm/", {"code": code}, follow=True)
    assert response.wsgi_request.user == citizen


def test_expired_code_is_refused(client, citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client.post("/accounts/login/code/", {"phone": citizen.mobile})
        code = last_code(citizen.mobile)
        traveller.shift(60 * 60)
        response = client.post("/accounts/login/code/confirm/", {"code": code}, follow=True)
    assert not response.wsgi_request.user.is_authenticated


def test_unknown_mobile_cannot_request_a_sign_in_code(client):
    response = client.post("/accounts/login/code/", {"phone": "01912345678"})
    assert response.status_code == 200
    assert "কোনো অ্যাকাউন্ট নেই" in response.content.decode()


def test_too_many_code_requests_are_throttled(client, citizen):
    for _ in range(5):
        client.cookies.clear()
        response = client.post("/accounts/login/code/", {"phone": citizen.mobile})
    assert SmsMessage.objects.filter(to=citizen.mobile, kind="code").count() == 3
    assert response.status_code == 200
    assert "অনেকবার চেষ্টা" in response.content.decode()


def test_staff_cannot_sign_in_by_code_alone(client, make_user):
    make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    for url, data in [("/accounts/login/code/", {"phone": "01799999999"}),
                      ("/accounts/login/", {"login": "01799999999"})]:
        response = client.post(url, data, follow=True)
        assert not response.wsgi_request.user.is_authenticated
        assert "পাসওয়ার্ড" in response.content.decode()
    assert not SmsMessage.objects.filter(kind="code").exists()


def test_staff_need_password_and_code(client, make_user):
    clerk = make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    response = client.post(
        "/accounts/login/", {"login": "01799999999", "password": "s3cret-pass-99"}, follow=True
    )
    assert not response.wsgi_request.user.is_authenticated
    code = last_code(clerk.mobile)
    response = client.post("/accounts/login/code/confirm/", {"code": code}, follow=True)
    assert response.wsgi_request.user == clerk


def test_wrong_staff_password_sends_no_code(client, make_user):
    make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    response = client.post("/accounts/login/", {"login": "01799999999", "password": "nope"})
    assert response.status_code == 200
    assert not SmsMessage.objects.filter(kind="code").exists()
