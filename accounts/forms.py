"""Forms for the citizen's profile."""

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.digits import localize_digits, to_ascii_digits
from core.formfields import NIDField
from core.models import Ward

from . import lockout
from .models import User


class ProfileForm(forms.ModelForm):
    nid = NIDField(
        label=_("National ID number"),
        required=False,
        help_text=_("10, 13 or 17 digits. Bengali digits are fine."),
    )
    ward = forms.ModelChoiceField(
        queryset=Ward.objects.all(),
        required=False,
        label=_("Ward"),
        empty_label=_("— choose your ward —"),
    )

    class Meta:
        model = User
        fields = ["name_bn", "name_en", "email", "nid", "address", "ward", "preferred_language"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class _BengaliDigitsCodeMixin:
    """One-time codes typed with Bengali digits (১২৩৪৫৬) are accepted."""

    def clean_code(self):
        self.cleaned_data["code"] = to_ascii_digits(self.cleaned_data.get("code", ""))
        return super().clean_code()


class ConfirmLoginCodeForm(_BengaliDigitsCodeMixin, allauth_forms.ConfirmLoginCodeForm):
    pass


class VerifyPhoneForm(_BengaliDigitsCodeMixin, allauth_forms.VerifyPhoneForm):
    pass


def _too_many(wait: int) -> forms.ValidationError:
    minutes = max(1, -(-wait // 60))
    return forms.ValidationError(
        ngettext(
            "Too many attempts. Wait %(minutes)s minute and try again.",
            "Too many attempts. Wait %(minutes)s minutes and try again.",
            minutes,
        )
        % {"minutes": localize_digits(minutes)},
        code="too_many_login_attempts",
    )


SIGN_IN_UNAVAILABLE = _("Sign-in is unavailable for a moment. Please try again in a minute.")


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    """The first step of every sign-in: a mobile number, and the same answer whether or not
    it has an account ("if this number has an account, we sent a code"). Unknown numbers get
    no message; staff are asked for their password only after the code (accounts.stages).

    Code requests back off per number and client address (accounts.lockout), so a stranger
    asking for codes for a clerk's number delays only themselves."""

    def clean_phone(self):
        from allauth.core import context

        phone = self.cleaned_data.get("phone")
        request = context.request
        if phone and request is not None:
            ip = lockout.request_ip(request)
            try:
                wait = lockout.CODE_REQUESTS.wait_seconds(phone, ip)
                if wait:
                    raise _too_many(wait)
                if lockout.number_over_global_cap(phone):
                    raise _too_many(3600)
                lockout.CODE_REQUESTS.record(phone, ip)
            except lockout.LockoutUnavailable:
                raise forms.ValidationError(SIGN_IN_UNAVAILABLE, code="unavailable") from None
        return super().clean_phone()


class LoginForm(allauth_forms.LoginForm):
    """Everyone starts with the mobile number alone; a code follows by SMS. Accounts with a
    password (staff) enter it on the next page, after the code (accounts.stages)."""

    def _setup_password_field(self) -> None:
        # No password here: asking for one would tell anyone that the number is staff's.
        del self.fields["password"]
        # Nor "remember me": a sign-in by code never reads it (staff sessions end after
        # idle hours, citizens' last; accounts.middleware). The mobile number is all.
        self.fields.pop("remember", None)

    def _clean_without_password(self, email, phone):
        form = RequestLoginCodeForm({"phone": phone} if phone else {})
        if not form.is_valid():
            for error in form.errors.get("phone") or form.errors.get("__all__") or []:
                self.add_error("login", error)
        else:
            self.user = form._user
        return self.cleaned_data


class StaffPasswordForm(forms.Form):
    """The password of an account that has one, asked after its one-time code."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, request, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        mobile, ip = self.user.mobile, lockout.request_ip(self.request)
        try:
            wait = lockout.PASSWORD_FAILURES.wait_seconds(mobile, ip)
            if wait:
                raise _too_many(wait)
            if not (self.user.is_active and self.user.check_password(password)):
                wait = lockout.PASSWORD_FAILURES.record(mobile, ip)
                if wait:
                    raise _too_many(wait)
                raise forms.ValidationError(
                    _("The password is not right."), code="incorrect_password"
                )
        except lockout.LockoutUnavailable:
            raise forms.ValidationError(SIGN_IN_UNAVAILABLE, code="unavailable") from None
        lockout.PASSWORD_FAILURES.clear(mobile, ip)
        lockout.CODE_REQUESTS.clear(mobile, ip)
        return password
