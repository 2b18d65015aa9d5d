"""Forms more than one service uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    """An officer's decision on someone's request: the reason they will see and a
    confirmation (a decision cannot be changed afterwards). A service's form adds its
    `decision` choices and says who sees the reason (`reason_help`)."""

    reason_help: Any = ""  # a (lazily translated) text

    reason = forms.CharField(
        label=_("Reason for the decision"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the decision.")},
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked the request and want to record this decision. It cannot be "
            "changed afterwards."
        ),
        error_messages={"required": _("Tick the box to confirm the decision.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.reason_help:
            self.fields["reason"].help_text = self.reason_help

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the decision."), code="required")
        return reason
