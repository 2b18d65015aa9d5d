"""Receipt PDF benchmark: N money receipts rendered to PDF the way the worker does it
(context from the database, template, WeasyPrint), against a trivial one-line document
printed by the same WeasyPrint in the same process.

Setup (not timed): one settled payment of two bills with VAT (so the BIN line prints), a
second with money credited to the payer. Each receipt is rendered N/2 times after one
warm-up rendering each.

Last line: `pdfs: n=N per_pdf_ms=… trivial_ms=… ratio=…`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("KCC_VAR_DIR", str(ROOT / "var" / "bench"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _receipts() -> list:
    from accounts.models import User
    from core.models import CityProfile
    from payments.models import Receipt
    from payments.services import LineSpec, bill_issue, payment_settle
    from payments.services.online import create_payment

    city = CityProfile.current()
    if not city.vat_bin:
        CityProfile.objects.filter(pk=city.pk).update(vat_bin="000123456-0101")
    payer = User.objects.filter(mobile="01799000001").first() or User.objects.create_user(
        mobile="01799000001", name_bn="করিম উদ্দিন", name_en="Karim Uddin"
    )
    run = secrets.token_hex(4)

    def bill(i: int, *, vat: bool):
        lines = [
            LineSpec(head="holding_tax", amount=Decimal("1200.00"), description_bn="গৃহকর"),
            LineSpec(head="conservancy", amount=Decimal("300.00"), description_bn="পরিচ্ছন্নতা"),
        ]
        if vat:
            lines.append(LineSpec(head="vat", amount=Decimal("225.00")))
        return bill_issue(
            service="bench",
            subject_type="bench",
            subject_id=f"pdf-{run}-{i}",
            dues=[f"pdf-{run}:{i}"],
            fiscal_year_label="2025-26",
            due_date=date(2026, 6, 30),
            payer=payer,
            subject_label_bn=f"হোল্ডিং {i}",
            subject_label_en=f"Holding {i}",
            lines=lines,
        )

    from django.db import transaction

    with transaction.atomic():
        first = create_payment(bills=[bill(1, vat=True), bill(2, vat=False)], channel="online")
    payment_settle(payment_id=first.pk)
    credited_bill = bill(3, vat=False)
    with transaction.atomic():
        a = create_payment(bills=[credited_bill], channel="online")
    with transaction.atomic():
        b = create_payment(bills=[credited_bill], channel="online")
    payment_settle(payment_id=a.pk)
    payment_settle(payment_id=b.pk)  # the bill is paid by now: credited to the payer
    return list(
        Receipt.objects.filter(payment__in=[first, b]).select_related("payment").order_by("pk")
    )


def _trivial_pdf() -> bytes:
    from weasyprint import HTML

    from core.pdf import font_config, url_fetcher

    return HTML(string="<p>x</p>", url_fetcher=url_fetcher()).write_pdf(font_config=font_config())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=int(os.environ.get("BENCH_PDFS_N", "40")))
    args = parser.parse_args(argv if argv is not None else [])
    _setup_django()
    from payments.receipts import render_receipt_pdf

    receipts = _receipts()
    for receipt in receipts:  # warm up: fonts, templates, the city profile
        render_receipt_pdf(receipt)
    _trivial_pdf()
    timings = []
    cpu_started = time.process_time()
    for i in range(args.n):
        receipt = receipts[i % len(receipts)]
        started = time.perf_counter()
        pdf = render_receipt_pdf(receipt)
        timings.append((time.perf_counter() - started) * 1000)
        assert pdf.startswith(b"%PDF")
    cpu_ms = (time.process_time() - cpu_started) * 1000 / args.n
    trivial = []
    for _ in range(max(10, args.n // 2)):
        started = time.perf_counter()
        _trivial_pdf()
        trivial.append((time.perf_counter() - started) * 1000)
    per_pdf = statistics.median(timings)
    # The machine may be shared: CPU time per PDF does not count waiting for a core.
    print(f"pdfs: cpu_ms_per_pdf={cpu_ms:.1f} load_avg_1min={os.getloadavg()[0]:.2f}")
    trivial_ms = statistics.median(trivial)
    print(
        f"pdfs: n={len(timings)} per_pdf_ms={per_pdf:.1f} trivial_ms={trivial_ms:.1f} "
        f"ratio={per_pdf / trivial_ms:.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
