"""The counter clerk's khas collection: a site no lessee holds this Bengali year is collected
directly, and its collector brings each day's takings to the counter; the clerk enters the
site, the day, the collector and the amount, and takes the cash at the payments counter
(the receipt is the record)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.formfields import LocalizedDecimalField
from core.roles import perm
from core.views import StaffRoleRequiredMixin
from payments.models import Bill

from ..ijara_forms import SiteChoiceField
from ..ijara_models import IjaraSite
from ..services import ijara


class KhasForm(forms.Form):
    site = SiteChoiceField(label=gettext_lazy("Site"), queryset=IjaraSite.objects.none())
    day = forms.DateField(
        label=gettext_lazy("Day collected"), widget=forms.DateInput(attrs={"type": "date"})
    )
    collector = forms.CharField(label=gettext_lazy("Collector"), max_length=200)
    amount = LocalizedDecimalField(
        label=gettext_lazy("Takings (taka)"), max_digits=14, decimal_places=2, min_value=0
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sites = [s.pk for s in ijara.khas_sites()]
        self.fields["site"].queryset = IjaraSite.objects.filter(  # type: ignore[attr-defined]
            pk__in=sites
        ).select_related("ward")


class KhasCounterView(StaffRoleRequiredMixin, View):
    permission_required = perm("use_counter")
    template_name = "market_leases/ijara/khas.html"

    def render(self, request: HttpRequest, form: KhasForm, status: int = 200) -> HttpResponse:
        recent = Bill.objects.filter(
            service=ijara.SERVICE, subject_type=ijara.KHAS, issued_on=timezone.localdate()
        ).order_by("-pk")[:50]
        return TemplateResponse(
            request, self.template_name, {"form": form, "recent": recent}, status=status
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, KhasForm(initial={"day": timezone.localdate()}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = KhasForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                bill = ijara.khas_bill_issue(
                    site=d["site"],
                    day=d["day"],
                    amount=d["amount"],
                    collector=d["collector"],
                    actor=request.user,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Bill %(number)s is ready: take the cash here.") % {"number": bill.number},
                )
                return HttpResponseRedirect(
                    f"{reverse('payments:counter_home')}?" + urlencode({"q": bill.number})
                )
        return self.render(request, form, status=400)
