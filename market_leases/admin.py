"""Admin for markets and leases: the estate officer (accounts.manage_markets, with admin
site access) and administrators edit markets, shops, rent schedules and the lease rules;
every change is audited with before and after (core.admin.AuditedAdmin). A new rent schedule
or new rules start from the latest one's figures. Lessees and allotments are shown read-only:
they are made and moved through market_leases.services (the shop's lock, the licence check,
the status history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin
from core.roles import perm

from .models import (
    Allotment,
    AllotmentStatusChange,
    Bid,
    IjaraSite,
    LeaseRules,
    Lessee,
    Market,
    PastLease,
    RentSchedule,
    Shop,
    Tender,
)


def _estate(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.has_perm(perm("manage_markets")))


class EstateAdmin(AuditedAdmin):
    """Open to whoever may manage markets (the estate officer's permission), besides the
    model permissions Django gives administrators."""

    def _estate(self, request: HttpRequest) -> bool:
        return _estate(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._estate(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._estate(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._estate(request) or super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._estate(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # kept: bills and allotments were made under them


class ReadOnlyEstateAdmin(EstateAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StartsFromLatest:
    """A new row starts from the latest row's figures (all but the date and the note)."""

    keep_out: tuple[str, ...] = ("id", "effective_from", "updated_at", "note")

    def latest(self, request: HttpRequest):
        return self.model.objects.order_by("-effective_from").first()  # type: ignore[attr-defined]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)  # type: ignore[misc]
        latest = self.latest(request)
        if latest is not None:
            for field in self.model._meta.fields:  # type: ignore[attr-defined]
                if field.name not in self.keep_out:
                    initial.setdefault(field.attname, getattr(latest, field.attname))
        return initial


class ShopInline(admin.TabularInline):
    """A market's shops, added and changed on its page (numbers normalised by Shop.clean)."""

    model = Shop
    extra = 0
    fields = ["number", "floor", "area_sqft", "kind"]
    show_change_link = True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _estate(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _estate(request) or super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _estate(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Market)
class MarketAdmin(EstateAdmin):
    list_display = ["name_en", "name_bn", "ward", "floors"]
    list_filter = ["ward"]
    search_fields = ["name_en", "name_bn", "address"]
    inlines = [ShopInline]


@admin.register(Shop)
class ShopAdmin(EstateAdmin):
    list_display = ["number", "market", "floor", "area_sqft", "kind"]
    list_filter = ["market", "floor", "kind"]
    search_fields = ["number", "market__name_en", "market__name_bn"]


@admin.register(RentSchedule)
class RentScheduleAdmin(StartsFromLatest, EstateAdmin):
    list_display = [
        "market",
        "floor",
        "effective_from",
        "rent_per_sqft",
        "salami_per_sqft",
        "deposit_months",
        "order_reference",
    ]
    list_filter = ["market", "floor"]
    keep_out = ("id", "effective_from", "updated_at", "note", "order_reference")

    def latest(self, request: HttpRequest):
        """The latest schedule of the market and floor asked for (?market=…&floor=…)."""
        qs = RentSchedule.objects.order_by("-effective_from")
        market, floor = request.GET.get("market"), request.GET.get("floor")
        if market and market.isdigit():
            qs = qs.filter(market_id=int(market))
            if floor and floor.isdigit():
                qs = qs.filter(floor=int(floor))
            return qs.first()
        return None


@admin.register(LeaseRules)
class LeaseRulesAdmin(StartsFromLatest, EstateAdmin):
    list_display = [
        "effective_from",
        "due_day",
        "surcharge_percent",
        "surcharge_fixed",
        "transfer_fee_months",
        "cancellation_arrears_months",
        "vat_percent",
        "income_tax_percent",
    ]


@admin.register(Lessee)
class LesseeAdmin(ReadOnlyEstateAdmin):
    list_display = ["name_en", "name_bn", "nid", "mobile"]
    search_fields = ["name_en", "name_bn", "nid", "mobile"]
    exclude = ["photo"]  # private storage: shown by the officer's pages


class StatusChangeInline(admin.TabularInline):
    """An allotment's status history, read-only."""

    model = AllotmentStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _estate(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Allotment)
class AllotmentAdmin(ReadOnlyEstateAdmin):
    list_display = ["shop", "lessee", "basis", "starts_on", "ends_on", "status"]
    list_filter = ["status", "basis", "shop__market"]
    search_fields = ["shop__number", "lessee__name_en", "lessee__name_bn", "lessee__nid"]
    inlines = [StatusChangeInline]


# --- ijara ---------------------------------------------------------------------------------------


class PastLeaseInline(admin.TabularInline):
    model = PastLease
    extra = 1
    fields = ["year", "amount", "note"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _estate(request) or super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _estate(request) or super().has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _estate(request) or super().has_view_permission(request, obj)


@admin.register(IjaraSite)
class IjaraSiteAdmin(EstateAdmin):
    """Sites with their past years' lease amounts (the reserve price is made from them)."""

    list_display = ["name_en", "name_bn", "kind", "ward"]
    list_filter = ["kind"]
    search_fields = ["name_en", "name_bn"]
    inlines = [PastLeaseInline]


@admin.register(Tender)
class TenderAdmin(ReadOnlyEstateAdmin):
    """Read-only: tenders are published, opened and awarded on the estate officer's pages."""

    list_display = ["site", "year", "reference", "status", "reserve_price", "opening_at"]
    list_filter = ["status", "year"]


@admin.register(Bid)
class BidAdmin(ReadOnlyEstateAdmin):
    """Read-only and never the sealed token; the amount is empty until the opening writes
    it (so nothing here can tell a bid before then)."""

    list_display = ["tender", "bidder", "status", "security", "method", "rank", "refund"]
    list_filter = ["status", "method"]
    exclude = ["amount_sealed"]
    fields = (
        "tender",
        "bidder",
        "status",
        "amount_if_opened",
        "security",
        "method",
        "pay_order_number",
        "pay_order_bank",
        "pay_order_confirmed",
        "security_paid_at",
        "rank",
        "balance_due",
        "refund",
        "refund_note",
    )
    readonly_fields = fields

    @admin.display(description=_("bid"))
    def amount_if_opened(self, obj: Bid) -> str:
        return "—" if obj.amount is None else str(obj.amount)
