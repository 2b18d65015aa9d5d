"""Forms for the citizen's profile."""

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.utils.translation import gettext_lazy as _

from core.digits import to_ascii_digits
from core.formfields import NIDField
from core.models import Ward

from .models import User


class ProfileForm(forms.ModelForm):
    nid = NIDField(label=_("National ID number"), required=False,
                   help_text=_("10, 13 or 17 digits. Bengali digits are fine."))
    ward = forms.ModelChoiceField(queryset=Ward.objects.all(), required=False, label=_("Ward"),
                                  empty_label=_("— choose your ward —"))

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


STAFF_PASSWORD_REQUIRED = _("This account belongs to staff: enter its password as well. "
                            "A code will then be sent to its mobile.")


class LoginForm(allauth_forms.LoginForm):
    """Citizens: mobile number only (a code follows). Staff: mobile and password, then a code."""

    def _setup_password_field(self) -> None:
        self.fields["password"].required = False
        self.fields["password"].label = _("Password (staff only)")
        self.fields["password"].help_text = ""

    def clean(self):
        if not self._errors and not self.cleaned_data.get("password"):
            user = get_adapter().get_user_by_phone(self.cleaned_data.get("login", ""))
            if user is not None and user.has_usable_password():
                raise forms.ValidationError(STAFF_PASSWORD_REQUIRED, code="staff_password")
        return super().clean()


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    """A code alone never signs in an account that has a password (staff)."""

    def clean_phone(self):
        phone = super().clean_phone()
        if self._user is not None and self._user.has_usable_password():
            raise forms.ValidationError(STAFF_PASSWORD_REQUIRED, code="staff_password")
        return phone
