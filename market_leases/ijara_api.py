"""Ijara's REST endpoints (in the OpenAPI schema):

- `GET /api/ijara/tenders/` — the tenders taking bids now;
- `POST /api/ijara/tenders/<id>/bids/` with `{"amount": "1234567.00"}` (Bengali digits
  accepted; `pay_order_number` and `pay_order_bank` when the security is above the
  gateway's limit) → 201 `{"bid": …, "payment": {"tran_id", "amount", "gateway_url"}}`, the
  payment covering what the bidder still owes for the bid (the schedule fee, the security
  paid online); `payment` is null when nothing is owed online;
- `GET /api/ijara/bids/` — the caller's bids.

A bid's amount is never in an answer before the opening (`amount` is null until then),
not even to the bidder who made it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from payments.services import PaymentError, payment_initiate_online

from . import rent
from .ijara_models import Bid, Tender
from .services import ijara


class IjaraTenderSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    site = serializers.CharField()
    kind = serializers.CharField(help_text="haat, bazar, ghat, terminal or parking")
    ward = serializers.IntegerField()
    year = serializers.IntegerField(help_text="The Bengali year leased.")
    term_starts = serializers.DateField(help_text="1 Boishakh of the year.")
    term_ends = serializers.DateField(help_text="The last day of Chaitra.")
    reference = serializers.CharField()
    schedule_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
    reserve_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    security_step = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="The security is 25% of the bid rounded up to a multiple of this.",
    )
    bid_opens_at = serializers.DateTimeField()
    bid_closes_at = serializers.DateTimeField()
    opening_at = serializers.DateTimeField()
    status = serializers.CharField()


def tender_row(t: Tender) -> dict[str, Any]:
    starts, ends = rent.ijara_term(t.year)
    return {
        "id": t.pk,
        "site": t.site.name_en or t.site.name_bn,
        "kind": t.site.kind,
        "ward": t.site.ward.number,
        "year": t.year,
        "term_starts": starts,
        "term_ends": ends,
        "reference": t.reference,
        "schedule_fee": t.schedule_fee,
        "reserve_price": t.reserve_price,
        "security_step": t.security_step,
        "bid_opens_at": t.bid_opens_at,
        "bid_closes_at": t.bid_closes_at,
        "opening_at": t.opening_at,
        "status": t.status,
    }


class IjaraOpenBillSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    kind = serializers.CharField(help_text="ijara_schedule, ijara_security or ijara_balance")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_date = serializers.DateField()


class IjaraBidSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    tender = serializers.IntegerField()
    site = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.CharField(
        help_text="submitted, valid, invalid, offered, leased, forfeited or lost"
    )
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Null until the opening: the bid is sealed.",
    )
    security = serializers.DecimalField(max_digits=14, decimal_places=2)
    method = serializers.CharField(help_text="online or pay_order")
    rank = serializers.IntegerField(allow_null=True)
    balance_due = serializers.DateField(allow_null=True)
    refund = serializers.CharField()
    open_bills = IjaraOpenBillSerializer(many=True)


def bid_row(bid: Bid) -> dict[str, Any]:
    return {
        "id": bid.pk,
        "tender": bid.tender_id,
        "site": bid.tender.site.name_en or bid.tender.site.name_bn,
        "year": bid.tender.year,
        "status": bid.status,
        "amount": bid.amount,  # written only by the opening
        "security": bid.security,
        "method": bid.method,
        "rank": bid.rank,
        "balance_due": bid.balance_due,
        "refund": bid.refund,
        "open_bills": [
            {"number": b.number, "kind": b.subject_type, "total": b.total, "due_date": b.due_date}
            for b in ijara.bid_bills_open(bid) + ijara.balance_bills_open(bid)
        ],
    }


class IjaraBidCreateSerializer(serializers.Serializer[Any]):
    amount = serializers.CharField(help_text='Taka, such as "1234567.00" (Bengali digits too).')
    pay_order_number = serializers.CharField(required=False, allow_blank=True, default="")
    pay_order_bank = serializers.CharField(required=False, allow_blank=True, default="")


class IjaraPaymentStartedSerializer(serializers.Serializer[Any]):
    tran_id = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    gateway_url = serializers.CharField()


class IjaraBidCreatedSerializer(serializers.Serializer[Any]):
    bid = IjaraBidSerializer()
    payment = IjaraPaymentStartedSerializer(allow_null=True)


class TenderListView(APIView):
    """The ijara tenders taking bids now."""

    @extend_schema(responses=IjaraTenderSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = [tender_row(t) for t in ijara.open_tenders()]
        return Response(IjaraTenderSerializer(rows, many=True).data)


def _messages(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {f: [str(m) for e in errs for m in e.messages] for f, errs in exc.error_dict.items()}
    return {"detail": [str(m) for m in exc.messages]}


class BidCreateView(APIView):
    """Submit a sealed bid on a tender and start paying what it still owes."""

    @extend_schema(request=IjaraBidCreateSerializer, responses={201: IjaraBidCreatedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        tender = get_object_or_404(Tender, pk=pk)
        data = IjaraBidCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            done = ijara.bid_submit(
                tender=tender,
                bidder=request.user,
                amount=data.validated_data["amount"],
                pay_order_number=data.validated_data["pay_order_number"],
                pay_order_bank=data.validated_data["pay_order_bank"],
            )
        except DjangoValidationError as exc:
            raise ValidationError(_messages(exc)) from exc
        payment = None
        if done.bills:
            try:
                started = payment_initiate_online(bills=done.bills, payer=request.user)
            except PaymentError as exc:  # the bid stands; paying can be tried again
                raise ValidationError({"payment": [str(exc)]}) from exc
            payment = {
                "tran_id": started.tran_id,
                "amount": started.amount,
                "gateway_url": started.gateway_url,
            }
        bid = Bid.objects.select_related("tender__site").get(pk=done.bid.pk)
        body = IjaraBidCreatedSerializer({"bid": bid_row(bid), "payment": payment}).data
        return Response(body, status=status.HTTP_201_CREATED)


class MyBidsView(APIView):
    """The caller's ijara bids (amounts null until their tender is opened)."""

    @extend_schema(responses=IjaraBidSerializer(many=True))
    def get(self, request: Request) -> Response:
        bids = Bid.objects.filter(bidder_id=request.user.pk).select_related("tender__site")
        return Response(
            IjaraBidSerializer([bid_row(b) for b in bids.order_by("-pk")], many=True).data
        )
