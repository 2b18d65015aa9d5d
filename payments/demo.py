"""Demo bills for the demo citizen (seed_demo), through the small demo service."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import CITIZEN_MOBILE
from accounts.models import User
from core.fiscal import fiscal_year

from .models import Bill, DemoSubject
from .services import LineSpec, bill_issue

DEMO_BILLS = [
    ("হোল্ডিং নং ১২, ওয়ার্ড ১ (ডেমো)", "Holding 12, ward 1 (demo)",
     [("holding_tax", "1750.00", "হোল্ডিং ট্যাক্স", "Holding tax"),
      ("conservancy", "1750.00", "পরিচ্ছন্নতা রেট", "Conservancy"),
      ("lighting", "750.00", "আলোকায়ন রেট", "Lighting")]),
    ("দোকান নং ৭, নিউ মার্কেট (ডেমো)", "Shop 7, New Market (demo)",
     [("rent", "3200.00", "মাসিক ভাড়া", "Monthly rent")]),
    ("পানির সংযোগ ৪৫৬ (ডেমো)", "Water connection 456 (demo)",
     [("water", "418.50", "পানির বিল", "Water"), ("sewerage", "418.50", "পয়ঃনিষ্কাশন", "Sewerage")]),
]


def seed() -> list:
    citizen = User.objects.get(mobile=CITIZEN_MOBILE)
    today = timezone.localdate()
    for title_bn, title_en, lines in DEMO_BILLS:
        subject, _ = DemoSubject.objects.get_or_create(title_en=title_en,
                                                       defaults={"title_bn": title_bn})
        bills = Bill.objects.filter(service="demo", subject_id=str(subject.pk))
        if bills.filter(status=Bill.Status.OPEN).exists():
            continue
        issued = bills.count()  # a paid demo bill is issued again, as a new due
        bill_issue(
            service="demo", subject_type="demo", subject_id=subject.pk,
            dues=[f"subject:{subject.pk}:{issued}"],
            subject_label_bn=title_bn, subject_label_en=title_en, payer=citizen,
            ward=citizen.ward, fiscal_year_label=fiscal_year(today),
            due_date=today + timedelta(days=30),
            lines=[LineSpec(head=h, amount=Decimal(a), description_bn=bn, description_en=en)
                   for h, a, bn, en in lines],
        )
        subject.paid = False
        subject.save(update_fields=["paid"])
    return []
