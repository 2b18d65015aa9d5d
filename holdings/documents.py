"""Holding-tax documents: the yearly demand notice and the no-dues certificate, as bilingual
PDFs (WeasyPrint) in the manner of payments/receipts.py (shared helpers: core/pdf.py).

Both print Bengali and English side by side whatever the reader's language, so their
contexts carry both versions of every value (``{"bn": ..., "en": ...}``). Dates print in the
Gregorian calendar with the Bengali calendar date beside them.

- ``render_demand_notice(demand)``: the year's demand, how it was made (valuation, each
  revenue head's rule), the instalments, the rebate on offer, arrears with surcharge, the
  total due and how to pay; rendered on request (never stored, it changes as the holding
  pays), or in bulk for a ward into MEDIA_ROOT by ``store_demand_notices``.
- ``issue_no_dues_certificate(holding)``: refused while anything is overdue;
  numbered ``<CITY>/ND/<fy>/<000001>`` per fiscal year, valid to the end of that fiscal
  year (or the next unpaid instalment's due date, if earlier), with a QR code to
  ``/verify/<code>/`` (lookup in holdings/verify.py).
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core import audit, citizen_cache
from core.digits import to_bengali_digits
from core.documents import StoredDocument, replace_file
from core.fiscal import fiscal_year, fiscal_year_bounds
from core.models import CityProfile
from core.money import amount_in_words_bn, amount_in_words_en, format_amount
from core.pdf import (
    Bilingual,
    both,
    both_calendars,
    fy_label,
    gregorian,
    logo_src,
    money,
    qr_data_uri,
    render_pdf,
    seal_src,
    signatory,
)

from . import tax
from .models import (
    Arrear,
    Deadline,
    Demand,
    Holding,
    Instalment,
    NoDuesCertificate,
    Owner,
    Use,
)
from .selectors import (
    Statement,
    deadline,
    effective_due_date,
    effective_due_date_expr,
    statement,
    valuation_basis,
)
from .services import HEAD_LABELS, cached_subject

NOTICE_TEMPLATE = "holdings/documents/demand_notice_pdf.html"
NO_DUES_TEMPLATE = "holdings/documents/no_dues_pdf.html"
#: Revenue heads in the order the notice prints them (others follow alphabetically).
HEAD_ORDER = ("holding_tax", "conservancy", "lighting")
ISSUE_ATTEMPTS = 5

ORDINALS = {1: ("১ম", "1st"), 2: ("২য়", "2nd"), 3: ("৩য়", "3rd"), 4: ("৪র্থ", "4th")}
#: The uses in Bengali, for the printed documents whatever the translation catalogue holds.
USE_BN: dict[str, str] = {
    Use.RESIDENTIAL: "আবাসিক",
    Use.COMMERCIAL: "বাণিজ্যিক",
    Use.INDUSTRIAL: "শিল্প",
    Use.MIXED: "মিশ্র",
    Use.VACANT_LAND: "খালি জমি",
}


# --- small helpers --------------------------------------------------------------------------


def _pct(value: Decimal) -> Bilingual:
    """7.00 → "7%", 7.50 → "7.5%" (Bengali digits in Bengali)."""
    text = f"{Decimal(value).normalize():f}%"
    return {"bn": to_bengali_digits(text), "en": text}


def _city() -> dict[str, Any]:
    city = CityProfile.current()
    return {
        "city": city,
        "city_name": {"bn": city.name_bn or city.name_en, "en": city.name_en or city.name_bn},
        "city_address": {"bn": city.address_bn, "en": city.address_en},
        "logo_src": logo_src(city),
    }


def _use(use: str) -> Bilingual:
    label = both(Use(use).label)
    if label["bn"] == label["en"]:  # not translated yet
        label["bn"] = USE_BN.get(use, label["en"])
    return label


def _holding_facts(holding: Holding) -> dict[str, Any]:
    ward = holding.ward
    return {
        "holding": holding,
        "ward": {
            "bn": to_bengali_digits(ward.number) + (f" ({ward.name_bn})" if ward.name_bn else ""),
            "en": str(ward.number) + (f" ({ward.name_en})" if ward.name_en else ""),
        },
        "ward_number": {"bn": to_bengali_digits(ward.number), "en": str(ward.number)},
        "holding_number": {"bn": to_bengali_digits(holding.number), "en": holding.number},
        "holding_label": {"bn": holding.label_bn, "en": holding.label_en},
        "use": _use(holding.use),
        "owners": _owners(holding),
    }


def _owners(holding: Holding) -> list[dict[str, Any]]:
    owners = list(holding.owners.order_by("pk"))
    return [
        {
            "bn": o.name_bn or o.name_en,
            "en": o.name_en or o.name_bn,
            "share": _pct(o.share_percent) if len(owners) > 1 else None,
        }
        for o in owners
    ]


def _owner_names(owners: list[dict[str, Any]]) -> Bilingual:
    return {
        "bn": ", ".join(o["bn"] for o in owners if o["bn"]) or "—",
        "en": ", ".join(o["en"] for o in owners if o["en"]) or "—",
    }


def pay_url(holding: Holding | None = None) -> str:
    """Where anyone pays a holding's tax: the quick-pay page (by ward and holding number,
    filled in for `holding`), or the portal's home page if that page is not installed."""
    try:
        url = settings.SITE_URL + reverse("holdings:quick_pay")
    except NoReverseMatch:
        return settings.SITE_URL + "/"
    if holding is None:
        return url
    query: dict[str, int | str] = {"ward": holding.ward.number, "number": holding.number}
    return url + "?" + urlencode(query)


# --- the demand notice ----------------------------------------------------------------------


def _valuation(demand: Demand) -> dict[str, Any]:
    """The annual valuation and how it was made, in both languages."""
    assessment = demand.assessment
    return {
        "amount": money(demand.annual_valuation),
        "basis": valuation_basis(demand, assessment),
        "effective": fy_label(assessment.effective_fy) if assessment is not None else None,
    }


def _head_rows(demand: Demand, use: Bilingual) -> list[dict[str, Any]]:
    fy = fy_label(demand.fiscal_year)
    rows = []
    lines = sorted(
        demand.lines.all(),
        key=lambda ln: (
            HEAD_ORDER.index(ln.head) if ln.head in HEAD_ORDER else len(HEAD_ORDER),
            ln.head,
        ),
    )
    for line in lines:
        bn, en = HEAD_LABELS.get(line.head, (line.head, line.head.replace("_", " ").title()))
        if line.percent is None:
            rule_bn = f"{fy['bn']} অর্থবছরের তফসিল: খালি জমির নির্ধারিত বার্ষিক কর"
            rate = {"bn": "নির্ধারিত", "en": "flat"}
        else:
            rate = _pct(line.percent)
            rule_bn = f"{fy['bn']} অর্থবছরের তফসিল: {use['bn']} হার, বার্ষিক মূল্যায়নের {rate['bn']}"
        rows.append(
            {
                "head": {"bn": bn, "en": en},
                "rate": rate,
                "amount": money(line.amount),
                "rule": {"bn": rule_bn, "en": line.rule},
            }
        )
    return rows


def _instalment_rows(demand: Demand) -> list[dict[str, Any]]:
    rows = []
    for inst in sorted(demand.instalments.all(), key=lambda i: i.quarter):
        bn, en = ORDINALS.get(inst.quarter, (to_bengali_digits(inst.quarter), str(inst.quarter)))
        paid = inst.status == Instalment.Status.PAID
        rows.append(
            {
                "label": {"bn": f"{bn} কিস্তি", "en": f"{en} instalment"},
                "due": both_calendars(effective_due_date(inst)),
                "amount": money(inst.amount),
                "paid": paid,
                "status": {"bn": "পরিশোধিত", "en": "Paid"} if paid else {"bn": "বাকি", "en": "Due"},
            }
        )
    return rows


def _rebate_rows(demand: Demand, today: datetime.date) -> list[dict[str, Any]]:
    """The schedule's rebate grades, best first, each as the citizen reads it."""
    schedule = demand.schedule
    first_due = deadline(schedule, Deadline.REBATE)
    rows = []
    for grade in sorted(schedule.rebates.all(), key=lambda g: -g.quarters):
        pct = _pct(grade.percent)
        n = grade.quarters
        if n >= 4:
            by = gregorian(first_due)
            rebate = tax.percent_of(demand.total, grade.percent)
            text = {
                "bn": (
                    f"পুরো বছরের কর {by['bn']} তারিখের মধ্যে একসাথে পরিশোধ করলে "
                    f"{pct['bn']} রেয়াত: {money(rebate)['bn']} কম, দিতে হবে "
                    f"{money(demand.total - rebate)['bn']}"
                ),
                "en": (
                    f"{pct['en']} if the whole year is paid by {by['en']}: "
                    f"{money(rebate)['en']} off, you pay {money(demand.total - rebate)['en']}"
                ),
            }
            open_ = today <= first_due and all(
                i.status == Instalment.Status.DUE for i in demand.instalments.all()
            )
        else:
            text = {
                "bn": (
                    f"{to_bengali_digits(n)}টি কিস্তি একসাথে, তাদের প্রথমটির শেষ তারিখের "
                    f"মধ্যে পরিশোধ করলে ওই কিস্তিগুলোর উপর {pct['bn']} রেয়াত"
                ),
                "en": (
                    f"{pct['en']} off {n} instalments paid together by the due date of "
                    "the first of them"
                ),
            }
            open_ = any(
                i.status == Instalment.Status.DUE and today <= effective_due_date(i)
                for i in demand.instalments.all()
            )
        rows.append({"text": text, "open": open_})
    return rows


def _arrear_rows(demand: Demand) -> list[dict[str, Any]]:
    rows = []
    for arrear in (
        Arrear.objects.filter(
            holding_id=demand.holding_id,
            status=Arrear.Status.DUE,
            demand__fiscal_year__lt=demand.fiscal_year,
        )
        .select_related("demand")
        .order_by("demand__fiscal_year")
    ):
        fy = fy_label(arrear.demand.fiscal_year)
        pct = _pct(arrear.surcharge_percent)
        rows.append(
            {
                "fiscal_year": fy,
                "principal": money(arrear.principal),
                "surcharge": money(arrear.surcharge),
                "percent": pct,
                "total": money(arrear.principal + arrear.surcharge),
                "value": arrear.principal + arrear.surcharge,
                "rule": {
                    "bn": f"অপরিশোধিত করের উপর {pct['bn']} সারচার্জ ({fy['bn']} অর্থবছরের তফসিল)",
                    "en": f"{pct['en']} surcharge on the unpaid tax (FY {fy['en']} schedule)",
                },
            }
        )
    return rows


def demand_notice_context(demand: Demand, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything the demand notice shows, each text in Bengali and English."""
    demand = (
        Demand.objects.select_related("holding__ward", "schedule", "assessment")
        .prefetch_related(
            "lines",
            Prefetch(
                "instalments",
                queryset=Instalment.objects.annotate(effective_due=effective_due_date_expr()),
            ),
            "schedule__rebates",
            "schedule__extensions",
            "holding__owners",
        )
        .get(pk=demand.pk)
    )
    today = today or timezone.localdate()
    facts = _holding_facts(demand.holding)
    instalments = _instalment_rows(demand)
    arrears = _arrear_rows(demand)
    year_due = sum(
        (i.amount for i in demand.instalments.all() if i.status == Instalment.Status.DUE),
        Decimal("0.00"),
    )
    year_paid = demand.total - year_due
    total_due = year_due + sum((a["value"] for a in arrears), Decimal("0.00"))
    return {
        **_city(),
        **facts,
        "demand": demand,
        "fiscal_year": fy_label(demand.fiscal_year),
        "issued_on": both_calendars(today),
        "owner_occupied": demand.holding.owner_occupied,
        "valuation": _valuation(demand),
        "heads": _head_rows(demand, facts["use"]),
        "year_total": money(demand.total),
        "year_total_value": demand.total,
        "instalments": instalments,
        "year_paid": money(year_paid) if year_paid else None,
        "year_due": money(year_due),
        "rebates": _rebate_rows(demand, today),
        "arrears": arrears,
        "total_due": money(total_due),
        "total_due_value": total_due,
        "total_due_words": {
            "bn": amount_in_words_bn(total_due),
            "en": amount_in_words_en(total_due),
        },
        "pay_url": pay_url(),
        "site_url": settings.SITE_URL,
        "qr_data_uri": qr_data_uri(pay_url(demand.holding)),
        "reference": f"HT/{demand.fiscal_year}/{demand.holding.ward.number}/"
        f"{demand.holding.number}",
    }


def render_demand_notice(demand: Demand) -> bytes:
    """The year's demand notice for a holding as a PDF (A4 portrait, Bengali and English)."""
    return render_pdf(NOTICE_TEMPLATE, demand_notice_context(demand))


def demand_notice_filename(demand: Demand) -> str:
    """ "demand-notice-2025-26-ward-5-12-A.pdf" (holding numbers may contain slashes)."""
    number = demand.holding.number.replace("/", "-").replace(" ", "-")
    return f"demand-notice-{demand.fiscal_year}-ward-{demand.holding.ward.number}-{number}.pdf"


def store_demand_notices(fiscal_year_label_: str, *, ward_number: int | None = None) -> list[str]:
    """Render every demand notice of a fiscal year (of one ward, or all) into the media
    storage under holdings/notices/<fy>/ward-<n>/; returns the stored names. Rendering
    again replaces the files."""
    demands = (
        Demand.objects.filter(fiscal_year=fiscal_year_label_)
        .select_related("holding__ward")
        .order_by("holding__ward__number", "holding__number")
    )
    if ward_number is not None:
        demands = demands.filter(holding__ward__number=ward_number)
    stored = []
    for demand in demands.iterator(chunk_size=200):
        name = (
            f"holdings/notices/{demand.fiscal_year}/ward-{demand.holding.ward.number:02d}/"
            f"{demand_notice_filename(demand)}"
        )
        stored.append(replace_file(name, render_demand_notice(demand)))
    return stored


# --- the no-dues certificate ----------------------------------------------------------------


def _paid_up_to(st: Statement, today: datetime.date) -> datetime.date:
    last = st.paid_up_to
    if last is None:
        return today
    quarters = [i.quarter for i in last.demand.instalments.all()]
    if last.quarter == max(quarters):
        return max(today, fiscal_year_bounds(last.demand.fiscal_year)[1])
    return max(today, effective_due_date(last))


def paid_up_to(holding: Holding, today: datetime.date) -> datetime.date:
    """The date up to which a holding with nothing overdue has paid: the due date of the
    last instalment paid with every one before it (the end of its fiscal year when that is
    the year's last instalment), or today when that is later — or when nothing is paid
    yet, as nothing was overdue. Q1 and Q2 paid → Q2's due date (31 December), even
    though Q3 and Q4, not yet due, are unpaid."""
    return _paid_up_to(statement(holding, today=today), today)


def _valid_until(st: Statement, today: datetime.date) -> datetime.date:
    """The end of the fiscal year of issue, or the due date of the next unpaid instalment
    when that is earlier: the certificate holds only while nothing falls overdue."""
    end = fiscal_year_bounds(fiscal_year(today))[1]
    return min(end, effective_due_date(st.next_due)) if st.next_due else end


def _next_sequence(fy: str) -> int:
    last = NoDuesCertificate.objects.filter(fiscal_year=fy).aggregate(last=Max("sequence"))["last"]
    return (last or 0) + 1


def _refuse_if_dues(holding: Holding, st: Statement) -> None:
    """Refuse while anything is overdue (বকেয়া): instalments past their due date and
    arrears. Instalments not yet due do not stop a certificate (selectors.is_overdue)."""
    overdue = st.total_overdue
    if overdue > 0:
        raise ValidationError(
            _(
                "%(holding)s has %(amount)s of holding tax overdue (past its due date). A "
                "no-dues certificate is issued once everything overdue is paid."
            )
            % {"holding": holding.label, "amount": format_amount(overdue)},
            code="has_dues",
        )


def _issue_once(holding: Holding, *, actor, today: datetime.date) -> tuple[NoDuesCertificate, bool]:
    fy = fiscal_year(today)
    with transaction.atomic():
        # One issue at a time per holding (PostgreSQL; SQLite writes one at a time anyway).
        Holding.objects.select_for_update().filter(pk=holding.pk).first()
        st = statement(holding, today=today)
        _refuse_if_dues(holding, st)
        up_to = _paid_up_to(st, today)
        existing = (
            NoDuesCertificate.objects.filter(
                holding=holding, fiscal_year=fy, paid_up_to=up_to, issued_at__date=today
            )
            .order_by("-pk")
            .first()
        )
        if existing is not None:
            return existing, False
        sequence = _next_sequence(fy)
        certificate = NoDuesCertificate.objects.create(
            holding=holding,
            fiscal_year=fy,
            sequence=sequence,
            number=f"{CityProfile.current().code}/ND/{fy}/{sequence:06d}",
            verify_code=secrets.token_hex(10),
            paid_up_to=up_to,
            valid_until=_valid_until(st, today),
            issued_by=actor,
        )
        audit.record(
            action="holding.no_dues_issued",
            obj=certificate,
            actor=actor,
            after=audit.snapshot(
                certificate, ["holding_id", "number", "paid_up_to", "valid_until"]
            ),
        )
    return certificate, True


def issue_no_dues_certificate(holding: Holding, *, actor=None) -> NoDuesCertificate:
    """Issue a no-dues certificate for a holding with nothing overdue.

    Refused (ValidationError, code "has_dues") while anything is past its due date
    (instalments not yet due may stay unpaid); valid to the end of the fiscal year, or to
    the next unpaid instalment's due date when that comes first. The number is the
    fiscal year's next one: the year's highest plus one, taken again if a concurrent issue
    got it first (the unique constraint on fiscal year + sequence is the referee). Asking
    again on the same day, nothing changed, returns the certificate already issued. The
    PDF is rendered by the worker after the commit (or on the first download)."""
    from . import tasks

    today = timezone.localdate()
    for attempt in range(ISSUE_ATTEMPTS):
        try:
            certificate, created = _issue_once(holding, actor=actor, today=today)
            break
        except IntegrityError:
            if attempt == ISSUE_ATTEMPTS - 1:
                raise
    if created:
        transaction.on_commit(partial(tasks.render_no_dues_pdf.delay, certificate.pk), robust=True)
    return certificate


def no_dues_verify_url(certificate: NoDuesCertificate) -> str:
    return f"{settings.SITE_URL}/verify/{certificate.verify_code}/"


def no_dues_is_current(certificate: NoDuesCertificate, today: datetime.date | None = None) -> bool:
    return (today or timezone.localdate()) <= certificate.valid_until


def no_dues_context(certificate: NoDuesCertificate) -> dict[str, Any]:
    """Everything the certificate shows, each text in Bengali and English."""
    certificate = (
        NoDuesCertificate.objects.select_related("holding__ward", "issued_by")
        .prefetch_related("holding__owners")
        .get(pk=certificate.pk)
    )
    holding = certificate.holding
    facts = _holding_facts(holding)
    issued_on = timezone.localtime(certificate.issued_at).date()
    url = no_dues_verify_url(certificate)
    city = _city()
    # Issued by an officer whose signature an administrator uploaded: it is printed, with
    # the seal; asked for by the owner online, the certificate says it is computer-made.
    officer = signatory(certificate.issued_by)
    return {
        **city,
        "seal_src": seal_src(city["city"]),
        "officer": officer if officer and officer["has_signature"] else None,
        **facts,
        "owner_names": _owner_names(facts["owners"]),
        "certificate": certificate,
        "number": certificate.number,
        "fiscal_year": fy_label(certificate.fiscal_year),
        "issued_on": both_calendars(issued_on),
        "paid_up_to": both_calendars(certificate.paid_up_to),
        "valid_until": both_calendars(certificate.valid_until),
        "verify_url": url,
        "verify_code": certificate.verify_code,
        "qr_data_uri": qr_data_uri(url),
    }


def render_no_dues(certificate: NoDuesCertificate) -> bytes:
    """The certificate as a PDF (A4 portrait, Bengali and English)."""
    return render_pdf(NO_DUES_TEMPLATE, no_dues_context(certificate))


def no_dues_filename(certificate: NoDuesCertificate) -> str:
    """ "no-dues-KCC-ND-2025-26-000001.pdf"."""
    return f"no-dues-{certificate.number.replace('/', '-')}.pdf"


def _stored_name(certificate: NoDuesCertificate) -> str:
    issued = timezone.localtime(certificate.issued_at)
    return f"holdings/no-dues/{issued:%Y/%m}/{no_dues_filename(certificate)}"


NO_DUES_PDF: StoredDocument[NoDuesCertificate] = StoredDocument(
    field="pdf", render=render_no_dues, stored_name=_stored_name
)


def _its_people(certificate: NoDuesCertificate):
    """The certificate's row is its holding's concern only (core.citizen_cache): storing
    its PDF drops its owners' cached figures and the holding's, no one else's."""
    holding = Holding.objects.select_related("ward").get(pk=certificate.holding_id)
    users = Owner.objects.filter(holding=holding).values_list("user_id", flat=True)
    return citizen_cache.scoped_to(users, [cached_subject(holding)])


def no_dues_store_pdf(certificate: NoDuesCertificate) -> str:
    """Render the certificate and store it on ``certificate.pdf``; the stored name.
    Idempotent: rendering again replaces the file (same name)."""
    with _its_people(certificate):
        return NO_DUES_PDF.store(certificate)


def no_dues_pdf_bytes(certificate: NoDuesCertificate) -> bytes:
    """The stored PDF, or (worker still busy, file lost) a fresh rendering, stored now."""
    with _its_people(certificate):
        return NO_DUES_PDF.read(certificate)
