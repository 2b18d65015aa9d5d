"""allauth adapter: phone numbers live on accounts.User.mobile; codes go out by SMS."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formfields import BDMobileField
from core.validators import normalize_mobile
from core.views import landing_url

from .models import User
from .sms import send_sms


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": gettext_lazy("Wrong code. Check the SMS and try again."),
        "too_many_login_attempts": gettext_lazy(
            "Too many attempts. Wait ten minutes and try again."
        ),
        "unknown_phone": gettext_lazy(
            "There is no account with this mobile number. Sign up first."
        ),
        "phone_taken": gettext_lazy("This mobile number already has an account. Sign in instead."),
        "invalid_login": gettext_lazy("The mobile number or password is not right."),
        "incorrect_password": gettext_lazy("The password is not right."),
    }

    def get_login_redirect_url(self, request) -> str:
        # Each role lands on its own work (a `next` given to the sign-in still wins).
        return landing_url(request.user)

    def phone_form_field(self, **kwargs):
        kwargs["label"] = gettext_lazy("Mobile number")
        return BDMobileField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return normalize_mobile(phone)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        text = _(
            "Your city corporation portal code is %(code)s. It expires in a few minutes. "
            "Do not share it with anyone."
        ) % {"code": code}
        send_sms(phone, text, kind="code")

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        """A sign-in asked for a number without an account: nothing is sent (the page answers
        as for any number, and a code typed there simply fails)."""

    def is_login_by_code_required(self, login) -> bool:
        # A sign-up with a number that already has an account carries no user (allauth's
        # enumeration prevention): there is no one to send a sign-in code to.
        if login.user is None:
            return False
        return super().is_login_by_code_required(login)

    def get_login_stages(self) -> list[str]:
        # After the one-time code, accounts with a password (staff) are asked for it.
        return [*super().get_login_stages(), "accounts.stages.StaffPasswordStage"]

    def send_account_already_exists_sms(self, phone: str) -> None:
        send_sms(
            phone,
            _(
                "This number already has an account on the city corporation portal. "
                "Sign in with it instead."
            ),
            kind="exists",
        )

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.mobile = normalize_mobile(phone)
        user.mobile_verified = verified
        user.save(update_fields=["mobile", "mobile_verified"])

    def get_phone(self, user):
        if not user.mobile:
            return None
        return user.mobile, user.mobile_verified

    def set_phone_verified(self, user, phone: str) -> None:
        if user.mobile == normalize_mobile(phone):
            user.mobile_verified = True
            user.save(update_fields=["mobile_verified"])

    def get_user_by_phone(self, phone: str):
        try:
            mobile = normalize_mobile(phone)
        except Exception:  # noqa: BLE001
            return None
        return User.objects.filter(mobile=mobile).order_by("pk").first()
