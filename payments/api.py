"""REST endpoints (in the OpenAPI schema): bills, start a payment, a payment's status."""

from __future__ import annotations

import hashlib
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import citizen_cache

from . import selectors
from .models import Bill, BillLine, Payment
from .services import PaymentError, payment_initiate_online


class BillLineSerializer(serializers.ModelSerializer[BillLine]):
    class Meta:
        model = BillLine
        fields = ["head", "description_bn", "description_en", "amount", "explanation"]


class BillSerializer(serializers.ModelSerializer[Bill]):
    lines = BillLineSerializer(many=True, read_only=True)
    ward = serializers.IntegerField(source="ward.number", allow_null=True, default=None)

    class Meta:
        model = Bill
        fields = [
            "number",
            "service",
            "subject_type",
            "subject_id",
            "subject_label_bn",
            "subject_label_en",
            "payer_name",
            "payer_mobile",
            "ward",
            "fiscal_year",
            "period_label",
            "issued_on",
            "due_date",
            "total",
            "status",
            "lines",
        ]


class BillFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    payer_mobile = django_filters.CharFilter()
    ward = django_filters.NumberFilter(field_name="ward__number")

    class Meta:
        model = Bill
        fields = ["status", "service", "fiscal_year", "number", "subject_id"]


class BillListView(generics.ListAPIView[Bill]):
    """The caller's open and paid bills; officers see (and filter) all bills."""

    serializer_class = BillSerializer
    filterset_class = BillFilter

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A citizen's page of bills is cached with their figures (core.citizen_cache: a
        write for a bill drops its payer's), one entry per host and query of the filters
        and the page (anything else asked: worked out, not kept)."""
        page = getattr(self.paginator, "page_query_param", "page")
        asked_for = set(request.GET) - {*BillFilter.base_filters, page}
        if asked_for or selectors.is_payments_staff(request.user):
            return super().list(request, *args, **kwargs)
        asked = f"{request.get_host()}?{request.GET.urlencode()}"  # the page links name both
        query = hashlib.sha256(asked.encode()).hexdigest()[:16]
        data = citizen_cache.figures(
            request.user, f"api_bills:{query}", lambda: super(BillListView, self).list(request).data
        )
        return Response(data)

    def get_queryset(self) -> QuerySet[Bill]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Bill.objects.none()
        user = self.request.user
        staff = selectors.is_payments_staff(user)
        # Signed in (the API's IsAuthenticated default), so user.pk is the caller's id.
        qs = Bill.objects.all() if staff else Bill.objects.filter(payer=user.pk)
        return qs.select_related("ward").prefetch_related("lines").order_by("-created_at", "-pk")


class PaymentCreateSerializer(serializers.Serializer[Any]):
    bills = serializers.ListField(
        child=serializers.CharField(max_length=30), min_length=1, max_length=50
    )


class PaymentStartedSerializer(serializers.Serializer[Any]):
    tran_id = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    gateway_url = serializers.URLField()


class PaymentStatusSerializer(serializers.Serializer[Any]):
    tran_id = serializers.CharField()
    status = serializers.ChoiceField(choices=Payment.Status.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    bills = serializers.ListField(child=serializers.CharField())
    receipt = serializers.CharField(allow_null=True)


class PaymentCreateView(APIView):
    """Start one online payment for one or more of the caller's open bills."""

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentStartedSerializer})
    def post(self, request: Request) -> Response:
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bills, missing = selectors.open_bills_by_number(request.user, data.validated_data["bills"])
        if missing:
            raise ValidationError(
                {
                    "bills": [
                        _("Not an open bill of yours: %(number)s") % {"number": n} for n in missing
                    ]
                }
            )
        try:
            payment = payment_initiate_online(bills=bills, payer=request.user)
        except PaymentError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        body = PaymentStartedSerializer(
            {
                "tran_id": payment.tran_id,
                "amount": payment.amount,
                "gateway_url": payment.gateway_url,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class PaymentDetailView(APIView):
    """A payment's status, its bills and its receipt number."""

    @extend_schema(responses=PaymentStatusSerializer)
    def get(self, request: Request, tran_id: str) -> Response:
        payment = selectors.payment_by_tran_id(tran_id)
        own = payment is not None and payment.payer_id == request.user.pk
        if payment is None or not (own or selectors.is_payments_staff(request.user)):
            raise NotFound
        receipt = getattr(payment, "receipt", None)
        return Response(
            PaymentStatusSerializer(
                {
                    "tran_id": payment.tran_id,
                    "status": payment.status,
                    "amount": payment.amount,
                    "bills": [i.bill.number for i in payment.items.all()],
                    "receipt": receipt.number if receipt else None,
                }
            ).data
        )
