"""Paper receipt books of the transition year (payments.services.paper): the revenue
officer's books (register, issue to a clerk, each book's leaves, close), and the clerk's
back-entry of the receipts written while the system was down (and leaves set aside)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.digits import localize_digits, to_ascii_digits
from core.formfields import LocalizedIntegerField
from core.roles import Role, perm
from core.views import StaffRoleRequiredMixin, paginate

from ..models import Bill, PaperReceipt, ReceiptBook
from ..services import PaymentError
from ..services.paper import (
    book_close,
    book_issue,
    book_register,
    missing_leaves,
    paper_leaf_set_aside,
    paper_receipt_enter,
)
from ..staff_common import refused

# --- the revenue officer's books -------------------------------------------------------------


class RegisterBookForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Book number"), max_length=30)
    first_leaf = LocalizedIntegerField(label=gettext_lazy("First receipt number"), min_value=1)
    last_leaf = LocalizedIntegerField(label=gettext_lazy("Last receipt number"), min_value=1)


class IssueBookForm(forms.Form):
    clerk = forms.ModelChoiceField(
        label=gettext_lazy("Counter clerk"),
        queryset=get_user_model().objects.none(),
        error_messages={"required": gettext_lazy("Choose the clerk the book is issued to.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clerk"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        clerks = get_user_model().objects.filter(groups__name=Role.COUNTER_CLERK)
        field.queryset = clerks.order_by("pk")


def render_books(request: HttpRequest, form: RegisterBookForm | None = None) -> HttpResponse:
    books = ReceiptBook.objects.select_related("clerk").annotate(
        accounted=Count("receipts"), late=Count("receipts", filter=Q(receipts__late=True))
    )
    return TemplateResponse(
        request,
        "payments/staff/receipt_books.html",
        {
            "books": paginate(request, books.order_by("status", "number")),
            "form": form or RegisterBookForm(),
            "issue_form": IssueBookForm(),
            "late": PaperReceipt.objects.filter(late=True)
            .select_related("book", "payment", "entered_by")
            .order_by("-entered_at")[:20],
            "can_manage": request.user.has_perm(perm("void_payments")),
        },
        status=400 if form is not None and form.errors else 200,
    )


class ReceiptBooksView(StaffRoleRequiredMixin, View):
    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_books(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(perm("void_payments")):
            return redirect("payments:revenue_receipt_books")
        form = RegisterBookForm(request.POST)
        if not form.is_valid():
            return render_books(request, form)
        data = form.cleaned_data
        try:
            book = book_register(
                number=data["number"],
                first_leaf=data["first_leaf"],
                last_leaf=data["last_leaf"],
                officer=request.user,
            )
        except PaymentError as exc:
            form.add_error(None, str(exc))
            return render_books(request, form)
        messages.success(request, _("Book %(number)s is registered.") % {"number": book.number})
        return redirect("payments:revenue_receipt_books")


class ReceiptBookIssueView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        book = get_object_or_404(ReceiptBook, pk=pk)
        form = IssueBookForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the clerk the book is issued to."))
        else:
            try:
                book_issue(book=book, clerk=form.cleaned_data["clerk"], officer=request.user)
            except PaymentError as exc:
                refused(request, _("Could not issue the book: %(reason)s"), exc)
            else:
                messages.success(
                    request,
                    _("Book %(number)s is issued to %(clerk)s.")
                    % {"number": book.number, "clerk": form.cleaned_data["clerk"].display_name},
                )
        return redirect("payments:revenue_receipt_books")


class CloseBookForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("Every leaf is accounted for; close the book for good."),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


def render_book(
    request: HttpRequest, book: ReceiptBook, close_form: CloseBookForm | None = None
) -> HttpResponse:
    receipts = {r.leaf: r for r in book.receipts.select_related("payment", "entered_by")}
    leaves = [(n, receipts.get(n)) for n in range(book.first_leaf, book.last_leaf + 1)]
    return TemplateResponse(
        request,
        "payments/staff/receipt_book.html",
        {
            "book": book,
            "leaves": leaves,
            "missing": len(missing_leaves(book)),
            "close_form": close_form or CloseBookForm(),
            "can_close": book.status == ReceiptBook.Status.ISSUED
            and request.user.has_perm(perm("void_payments")),
        },
        status=400 if close_form is not None and close_form.errors else 200,
    )


class ReceiptBookView(StaffRoleRequiredMixin, View):
    permission_required = perm("view_revenue_reports")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render_book(request, get_object_or_404(ReceiptBook, pk=pk))


class ReceiptBookCloseView(StaffRoleRequiredMixin, View):
    permission_required = perm("void_payments")
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        book = get_object_or_404(ReceiptBook, pk=pk)
        form = CloseBookForm(request.POST)
        if not form.is_valid():
            return render_book(request, book, close_form=form)
        try:
            book_close(book=book, officer=request.user)
        except PaymentError as exc:
            refused(request, _("Could not close the book: %(reason)s"), exc)
        else:
            messages.success(request, _("Book %(number)s is closed.") % {"number": book.number})
        return redirect("payments:revenue_receipt_book", pk=book.pk)


# --- the clerk's back-entry ------------------------------------------------------------------


def clerk_books(clerk: Any) -> Any:
    return ReceiptBook.objects.filter(clerk=clerk, status=ReceiptBook.Status.ISSUED)


class ClerkBookField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        first, last = localize_digits(obj.first_leaf), localize_digits(obj.last_leaf)
        return f"{obj.number} ({first}–{last})"


class BackEntryForm(forms.Form):
    book = ClerkBookField(label=gettext_lazy("Book"), queryset=ReceiptBook.objects.none())
    leaf = LocalizedIntegerField(label=gettext_lazy("Receipt number"), min_value=1)
    written_on = forms.DateField(
        label=gettext_lazy("Day it was written"), widget=forms.DateInput(attrs={"type": "date"})
    )
    bills = forms.CharField(
        label=gettext_lazy("Bill numbers written on the receipt"),
        help_text=gettext_lazy("One or more, separated by spaces or commas."),
        max_length=500,
    )
    payer_name = forms.CharField(label=gettext_lazy("Payer's name"), max_length=200, required=False)

    def __init__(self, *args: Any, clerk: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["book"]
        assert isinstance(field, ClerkBookField)  # noqa: S101
        field.queryset = clerk_books(clerk)
        if len(field.queryset) == 1:  # the usual case: the clerk's one book, chosen already
            field.initial = field.queryset[0]

    def clean_bills(self) -> list[Bill]:
        text = to_ascii_digits(self.cleaned_data["bills"])
        numbers = [n.upper() for n in re.split(r"[\s,;]+", text) if n]
        found = {b.number: b for b in Bill.objects.filter(number__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("No bill has the number %(numbers)s.") % {"numbers": ", ".join(unknown)}
            )
        if not numbers:
            raise forms.ValidationError(_("Give the bill numbers written on the receipt."))
        return [found[n] for n in dict.fromkeys(numbers)]


class SetAsideForm(forms.Form):
    book = ClerkBookField(label=gettext_lazy("Book"), queryset=ReceiptBook.objects.none())
    leaf = LocalizedIntegerField(label=gettext_lazy("Receipt number"), min_value=1)
    use = forms.ChoiceField(
        label=gettext_lazy("What happened to it"),
        choices=[
            (PaperReceipt.Use.CANCELLED, PaperReceipt.Use.CANCELLED.label),
            (PaperReceipt.Use.SPOILED, PaperReceipt.Use.SPOILED.label),
        ],
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)

    def __init__(self, *args: Any, clerk: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["book"]
        assert isinstance(field, ClerkBookField)  # noqa: S101
        field.queryset = clerk_books(clerk)
        if len(field.queryset) == 1:  # the usual case: the clerk's one book, chosen already
            field.initial = field.queryset[0]


def render_paper(
    request: HttpRequest,
    entry: BackEntryForm | None = None,
    aside: SetAsideForm | None = None,
) -> HttpResponse:
    clerk = request.user.pk  # signed in (the mixin)
    books = ReceiptBook.objects.filter(clerk=clerk, status=ReceiptBook.Status.ISSUED).annotate(
        accounted=Count("receipts")
    )
    return TemplateResponse(
        request,
        "payments/staff/paper_receipts.html",
        {
            "books": books,
            "entry": entry or BackEntryForm(clerk=clerk, prefix="entry"),
            "aside": aside or SetAsideForm(clerk=clerk, prefix="aside"),
            "recent": PaperReceipt.objects.filter(entered_by=clerk)
            .select_related("book", "payment")
            .order_by("-entered_at")[:20],
        },
        status=400 if (entry is not None and entry.errors) or (aside and aside.errors) else 200,
    )


class PaperReceiptsView(StaffRoleRequiredMixin, View):
    permission_required = perm("use_counter")

    def get(self, request: HttpRequest) -> HttpResponse:
        return render_paper(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if "aside-book" in request.POST:
            return self._set_aside(request)
        form = BackEntryForm(request.POST, clerk=request.user, prefix="entry")
        if not form.is_valid():
            return render_paper(request, entry=form)
        data = form.cleaned_data
        try:
            receipt = paper_receipt_enter(
                book=data["book"],
                leaf=data["leaf"],
                written_on=data["written_on"],
                bills=data["bills"],
                clerk=request.user,
                payer_name=data["payer_name"],
            )
        except PaymentError as exc:
            form.add_error(None, str(exc))
            return render_paper(request, entry=form)
        messages.success(
            request,
            _("Receipt %(reference)s is entered: its bills are paid.")
            % {"reference": receipt.reference},
        )
        if receipt.late:
            messages.warning(
                request, _("It was entered late: the revenue officer will see it flagged.")
            )
        return redirect("payments:counter_paper")

    def _set_aside(self, request: HttpRequest) -> HttpResponse:
        form = SetAsideForm(request.POST, clerk=request.user, prefix="aside")
        if not form.is_valid():
            return render_paper(request, aside=form)
        data = form.cleaned_data
        try:
            receipt = paper_leaf_set_aside(
                book=data["book"], leaf=data["leaf"], use=data["use"], reason=data["reason"],
                clerk=request.user,
            )  # fmt: skip
        except PaymentError as exc:
            form.add_error(None, str(exc))
            return render_paper(request, aside=form)
        messages.success(
            request,
            _("Receipt %(reference)s is set aside as %(use)s.")
            % {"reference": receipt.reference, "use": receipt.get_use_display()},
        )
        return redirect("payments:counter_paper")
