"""Sign-up and sign-in with a mobile number and a one-time code; staff with password + code."""

import re

import pytest
import time_machine
from django.utils import timezone

from accounts.models import SmsMessage, User
from core.digits import to_bengali_digits
from core.roles import Role
from core.validators import format_mobile

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


def staff_sign_in(client, mobile: str, password: str, url: str = "/accounts/login/", **extra):
    """Number, then the code sent to it, then the password: the response of the last step."""
    data = {"login": mobile} if url == "/accounts/login/" else {"phone": mobile}
    client.post(url, data, follow=True, **extra)
    response = client.post(
        "/accounts/login/code/confirm/", {"code": last_code(mobile)}, follow=True, **extra
    )
    assert response.redirect_chain[-1][0] == "/accounts/login/password/"
    return client.post("/accounts/login/password/", {"password": password}, follow=True, **extra)


@pytest.mark.parametrize(
    ("url", "field"), [("/accounts/login/", "login"), ("/accounts/login/code/", "phone")]
)
def test_one_answer_for_known_unknown_and_staff_numbers(client, citizen, make_user, url, field):
    """Whether a number has an account, and whether it is staff's, is not told before the
    code sent to it has been entered."""
    make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    pages = {}
    for mobile in (citizen.mobile, "01799999999", "01912345678"):
        client.cookies.clear()
        response = client.post(url, {field: mobile}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == "/accounts/login/code/confirm/"
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        for shown in (mobile, to_bengali_digits(format_mobile(mobile))):
            body = body.replace(shown, "NUMBER")
        pages[mobile] = body
        assert "পাসওয়ার্ড" not in body  # no word of a password yet
        assert "অ্যাকাউন্ট নেই" not in body
    known, staff, unknown = pages.values()
    assert known == staff == unknown
    # Codes went to the two accounts; the unknown number got no message at all.
    assert SmsMessage.objects.filter(to=citizen.mobile, kind="code").count() == 1
    assert SmsMessage.objects.filter(to="01799999999", kind="code").count() == 1
    assert not SmsMessage.objects.filter(to="01912345678").exists()


def test_a_code_typed_for_an_unknown_number_simply_fails(client):
    client.post("/accounts/login/", {"login": "01912345678"}, follow=True)
    response = client.post("/accounts/login/code/confirm/", {"code": "123456"}, follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert "ভুল কোড" in response.content.decode()


def test_too_many_code_requests_are_throttled(client, citizen):
    for _ in range(5):
        client.cookies.clear()
        response = client.post("/accounts/login/code/", {"phone": citizen.mobile})
    assert SmsMessage.objects.filter(to=citizen.mobile, kind="code").count() == 3
    assert response.status_code == 200
    assert "অনেকবার চেষ্টা" in response.content.decode()


def test_staff_cannot_sign_in_by_code_alone(client, make_user):
    clerk = make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    for url, data in [
        ("/accounts/login/code/", {"phone": "01799999999"}),
        ("/accounts/login/", {"login": "01799999999"}),
    ]:
        client.post(url, data, follow=True)
        response = client.post(
            "/accounts/login/code/confirm/", {"code": last_code(clerk.mobile)}, follow=True
        )
        # The code was right: only now is the password asked for.
        assert response.redirect_chain[-1][0] == "/accounts/login/password/"
        assert "পাসওয়ার্ড" in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated
        assert client.get("/dashboard/").status_code == 302
        client.cookies.clear()


def test_a_password_alone_signs_no_one_in(client, make_user):
    make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    response = client.post(
        "/accounts/login/", {"login": "01799999999", "password": "s3cret-pass-99"}, follow=True
    )
    assert not response.wsgi_request.user.is_authenticated
    # Without the code the password page is not even reachable.
    response = client.post("/accounts/login/password/", {"password": "s3cret-pass-99"}, follow=True)
    assert not response.wsgi_request.user.is_authenticated


def test_staff_need_code_and_password(client, make_user):
    clerk = make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    response = staff_sign_in(client, "01799999999", "s3cret-pass-99")
    assert response.wsgi_request.user == clerk
    # A clerk lands on the counter, never on the citizen dashboard.
    assert response.redirect_chain[-1][0] == "/payments/counter/"


def test_wrong_staff_password_keeps_them_out(client, make_user):
    make_user(Role.COUNTER_CLERK, mobile="01799999999", password="s3cret-pass-99")
    response = staff_sign_in(client, "01799999999", "nope")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "পাসওয়ার্ড সঠিক নয়" in response.content.decode()


def test_signing_up_with_a_number_that_has_an_account_says_nothing_more(client, citizen):
    """Sign-up answers as for a new number (the code page); the owner is told by SMS."""
    response = signup(client, citizen.mobile)
    assert response.status_code == 200
    assert "/accounts/" in response.redirect_chain[-1][0]
    assert "অ্যাকাউন্ট আছে" not in response.content.decode()
    assert User.objects.filter(mobile=citizen.mobile).count() == 1
    assert SmsMessage.objects.filter(to=citizen.mobile, kind="exists").count() == 1
    assert not response.wsgi_request.user.is_authenticated


def test_the_sign_in_page_asks_for_the_mobile_number_only(client):
    import re

    page = client.get("/accounts/login/").content.decode()
    form = page.split('action="/accounts/login/"', 1)[1].split("</form>", 1)[0]
    fields = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', form))
    assert fields == {"csrfmiddlewaretoken", "login"}
    assert 'type="password"' not in page
