"""Every page each role may open, read in Bengali, is Bengali: no Latin digits and no
English sentence outside the names, codes and amounts this check knows about.

The city is the demo (seed_demo) with what a working day adds to it: a trader's new
application in each officer's queue, a renewal billed, payments taken at the counter and a
session closed, an objection, a mutation and a new-holding application. Each demo account
(and an anonymous visitor) opens its dashboard and the pages the portal declares for its
role, and then every page those link to (GET only; a few of each kind), with the language
cookie set to Bengali. A few forms are also sent with mistakes, so their error and flash
messages are read too.

What a page may show in Latin letters or digits is deliberately short:
- ALLOWED_WORDS: abbreviations and brands that Bengali text writes in Latin letters;
- CODES: the shapes of codes people type or read out as they are (bill, payment and
  receipt numbers, licence numbers, e-mail addresses and web addresses);
- what people typed in English: the names and addresses stored in the city's rows (a
  trader's English business name, a road), read from the database, not listed here.
Everything else in Latin digits, and any run of three or more Latin words, is reported
with the page it was found on.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import Resolver404, resolve

from core.roles import Role

pytestmark = pytest.mark.django_db

DHAKA = ZoneInfo("Asia/Dhaka")

# --- what a Bengali page may show in Latin letters ----------------------------------------------

#: Abbreviations and brands written in Latin letters in Bengali text too, and the name of
#: the other language as its speakers write it.
ALLOWED_WORDS = [
    "KCC", "BIN", "NID", "TIN", "e-TIN", "SMS", "OTP", "PDF", "CSV", "XLSX", "UTF-8", "QR",
    "JPEG", "PNG", "bKash", "Nagad", "SSLCommerz", "English",
    "TL",  # a trade-licence application's number: TL-৩২
]  # fmt: skip
ALLOWED = re.compile("(?<![A-Za-z])(?:" + "|".join(map(re.escape, ALLOWED_WORDS)) + ")(?![A-Za-z])")

#: Codes shown as they are typed or read out (their digits stay Latin).
CODES = re.compile(
    r"""
      \bB\d{6}[A-Z2-9]{8}\b                  # bill number (payments.services.bills)
    | \b[A-Z]\d{6}[A-Z2-9]{12}\b              # payment tran_id (payments.services.online)
    | \b[A-Z]{2,6}/[A-Z]{1,3}/\d{4}-\d{2}/\d{6}\b  # receipt, licence, certificate number
    | \b[0-9a-f]{16,20}\b                    # verification code (printed under the QR code)
    | [\w.+-]+@[\w-]+(\.[\w-]+)+              # e-mail address
    | https?://\S+                           # web address
    """,
    re.VERBOSE,
)

LATIN_DIGITS = re.compile(r"[0-9]+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
#: A label said twice before its number ("হোল্ডিং হোল্ডিং ১৭", "ওয়ার্ড ৫ — ওয়ার্ড ৫"). Not any
#: doubled word: Bengali doubles words on purpose ("ইউনিট ধরে ধরে").
DOUBLED = re.compile(
    r"(?<![\u0980-\u09ff])([\u0980-\u09ff]+) \1 [০-৯]"
    r"|(?<![\u0980-\u09ff])([\u0980-\u09ff]+ [০-৯]+)(?: — |, )\2(?![০-৯])"
)


def typed_in_english() -> list[str]:
    """What people typed in English: names and addresses stored in the city's rows,
    longest first (so a whole address goes before the road inside it)."""
    from accounts.models import User
    from holdings.models import Holding, Owner
    from payments.models import ReceiptBook
    from trade_licenses.models import Application, ApplicationDocument, Business
    from water_billing.models import Connection

    values: set[str] = set()
    for qs in (
        User.objects.values_list("name_en", "address"),
        Owner.objects.values_list("name_en", flat=False),
        Holding.objects.values_list("road", "mahalla"),
        Business.objects.values_list("name_en", "premises_address"),
        Application.objects.values_list("trader_name_en", flat=False),
        ApplicationDocument.objects.values_list("original_name", flat=False),
        Connection.objects.values_list("name_en", "address"),
        ReceiptBook.objects.values_list("number", flat=False),  # the printer's numbering
    ):
        for row in qs:
            values.update(v.strip() for v in row if v and v.strip())
    return sorted(values, key=len, reverse=True)


# --- reading a page as a person sees it --------------------------------------------------------

HIDDEN_TAGS = {"script", "style", "template", "noscript"}
#: What is typed or read exactly as it is (column names of a CSV file, a code).
AS_TYPED_TAGS = {"code", "kbd", "samp"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
             "track", "wbr"}  # fmt: skip
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")


class PageText(HTMLParser):
    """The text a visitor reads (and a screen reader announces), line by line, and the
    page's links. Not read: scripts and styles, what is marked as typed as it is (<code>,
    <kbd>, <samp>) and what is marked as another language (lang="en": the language switch,
    an English name shown beside the Bengali one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, not read)

    @property
    def _skipping(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = (attributes.get("lang") or "").lower()
        skip = (
            self._skipping
            or tag in HIDDEN_TAGS | AS_TYPED_TAGS
            or bool(lang and not lang.startswith("bn"))
        )
        if tag not in VOID_TAGS:
            self._open.append((tag, skip))
        self.parts.append("\n")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if skip:
            return
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.parts += [attributes[name], "\n"]
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts += [attributes.get("value") or "", "\n"]

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break
        self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)

    def lines(self) -> list[str]:
        text = "".join(self.parts)
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def offences(lines: list[str], known: list[str]) -> list[str]:
    """The lines that show Latin digits or an English word once the known names, codes
    and allowed words are taken out, or that say a word twice."""
    found = []
    for line in lines:
        rest = line
        for value in known:
            rest = rest.replace(value, " ")
        rest = ALLOWED.sub(" ", CODES.sub(" ", rest))
        if LATIN_DIGITS.search(rest) or LATIN_WORD.search(rest) or DOUBLED.search(line):
            found.append(line)
    return found


# --- the city ----------------------------------------------------------------------------------

#: 20 November 2025: FY 2025-26, past the licence renewal deadline (late surcharge) and the
#: first instalment's due date.
TODAY = datetime(2025, 11, 20, 11, 0, tzinfo=DHAKA)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _file(kind: str) -> SimpleUploadedFile:
    if kind != "photo":
        return SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf")
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(png, format="PNG")
    return SimpleUploadedFile("photo.png", png.getvalue(), content_type="image/png")


def _working_day() -> None:
    """What a day at the counter and in the offices adds to the demo city."""
    from accounts.demo import CITIZEN_MOBILE, DEMO_STAFF
    from accounts.models import User
    from holdings import services as holdings
    from holdings.models import Holding
    from holdings.services.mutations import NewOwner, mutation_apply
    from holdings.services.new_holdings import holding_application_file
    from payments.models import Bill
    from payments.services import counter_session_close, counter_session_open, counter_take_cash
    from trade_licenses import services as licences
    from trade_licenses.demo import DEMO_TRADER_MOBILE
    from trade_licenses.models import Business

    staff = {role: User.objects.get(mobile=mobile) for role, mobile, *_ in DEMO_STAFF}
    citizen = User.objects.get(mobile=CITIZEN_MOBILE)
    trader = User.objects.get(mobile=DEMO_TRADER_MOBILE)
    inspector, officer = staff[Role.LICENCE_INSPECTOR], staff[Role.LICENCE_OFFICER]
    clerk = staff[Role.COUNTER_CLERK]

    # Trade licences: the demo trader renews (billed); the demo citizen files two new
    # applications, one waiting for the inspector and one inspected, waiting for approval.
    renewal, _needs_documents = licences.licence_renew(
        business=Business.objects.get(trader=trader), actor=trader, trader_tin="123456789012"
    )
    renewal.refresh_from_db()
    if renewal.status == "submitted":  # something changed since last year: an inspection
        licences.application_transition(application=renewal, to="inspection", actor=inspector)
        licences.inspection_record(application=renewal, inspector=inspector, findings="ঠিক আছে।")
        licences.application_transition(application=renewal, to="approval", actor=inspector)
    licences.application_issue_bill(application=renewal, actor=officer)
    for name_bn, name_en, ward in (
        ("রহিম ফার্মেসি", "Rahim Pharmacy", 1),
        ("রহিম টেইলার্স", "Rahim Tailors", 2),
    ):
        business = licences.business_create(
            actor=citizen,
            trader=citizen,
            name_bn=name_bn,
            name_en=name_en,
            category_code="pharmacy" if "ফার্মেসি" in name_bn else "tailor",
            premises_address="12 KDA Avenue, Khulna",
            ward=ward,
            signboard_sqft=Decimal("10"),
        )
        draft = licences.application_create_draft(
            business=business, filed_by=citizen, trader_tin="123456789012"
        )
        for kind in ("nid", "tin", "rent_agreement", "photo"):
            licences.document_add(application=draft, kind=kind, file=_file(kind), actor=citizen)
        licences.application_submit(application=draft, actor=citizen)
    inspected = draft
    licences.application_transition(application=inspected, to="inspection", actor=inspector)
    licences.inspection_record(application=inspected, inspector=inspector, findings="দোকান ঠিক আছে।")
    licences.application_transition(application=inspected, to="approval", actor=inspector)

    # Holdings: an objection, a mutation and a new holding number asked for.
    holding = Holding.objects.get(ward__number=1, number="12/A")
    holdings.objection_file(
        assessment=holding.assessments.latest("effective_fy"),
        user=citizen,
        reason="ভাড়া কম।",
        claimed_rent="300000",
    )
    mutation_apply(
        holding=Holding.objects.get(ward__number=1, number="12"),
        applicant=citizen,
        deed_number="১২৩৪/২০২৫",
        deed_date=date(2025, 10, 1),
        owners=[NewOwner("রহিম উদ্দিন", "Rahim Uddin", "1234567890", CITIZEN_MOBILE, 100)],
    )
    holding_application_file(
        applicant=citizen,
        ward=1,
        road="KDA Avenue",
        use="residential",
        owner_name_bn="রহিম উদ্দিন",
        owner_name_en="Rahim Uddin",
        owner_nid="1234567890",
        owner_mobile=CITIZEN_MOBILE,
    )

    # Payments: the clerk takes cash for one of the citizen's bills and closes the day,
    # then opens the next session.
    session = counter_session_open(clerk=clerk)
    bill = Bill.objects.filter(payer=citizen, status="open", service="holdings").first()
    payment = counter_take_cash(session=session, bills=[bill], clerk=clerk)
    counter_session_close(session=session, clerk=clerk, counted_cash=payment.amount)
    counter_session_open(clerk=clerk)


@pytest.fixture
def city(db):
    with time_machine.travel(TODAY, tick=True):
        call_command("seed_demo", stdout=None)
        _working_day()
        yield


# --- visiting the pages ------------------------------------------------------------------------

NOT_PAGES = re.compile(
    r"^/(admin|api|i18n|dev|static|media)/|/sslcommerz/|logout|\.(pdf|csv|xlsx)$"
)
PAGES_OF_A_KIND = 2  # pages opened per URL name: a second holding, a second application...
#: And at most this many of one URL name whatever its query: filters that add up link to
#: ever more combinations of themselves (the revenue officer's collections).
PAGES_OF_A_NAME = 8


def role_starts(role: str | None) -> list[str]:
    from core.portal import home_cards, role_links

    starts = ["/", "/accounts/login/", "/accounts/signup/"]
    starts += [c["url"] for c in home_cards()] + [c["public_url"] for c in home_cards()]
    if role is not None:
        starts += ["/dashboard/", "/accounts/profile/", "/payments/bills/", "/payments/history/"]
    for staff_role in STAFF if role == Role.ADMINISTRATOR else [role] if role in STAFF else []:
        starts += ["/staff/", f"/staff/{staff_role}/"]
        starts += [link["url"] for link in role_links(staff_role)]
    return [s for s in starts + looked_up(role) if s and not NOT_PAGES.search(s)]


def looked_up(role: str | None) -> list[str]:
    """Pages reached by typing something in: a holding by ward and number (quick pay, the
    counter desk), a licence by its number, a receipt by its verification code, a citizen
    at the counter by mobile number."""
    from accounts.demo import CITIZEN_MOBILE
    from payments.models import Receipt
    from trade_licenses.models import Licence

    holding = urlencode({"ward": 1, "number": "12/A"})
    pages = [
        f"/holdings/quick-pay/?{holding}",
        "/licences/search/?" + urlencode({"number": Licence.objects.order_by("pk")[0].number}),
        f"/verify/{Receipt.objects.order_by('pk')[0].verify_code}/",
    ]
    if role in (Role.COUNTER_CLERK, Role.ADMINISTRATOR):
        pages += [f"/holdings/counter/?{holding}", f"/payments/counter/?q={CITIZEN_MOBILE}"]
    return pages


def visit(client, starts: list[str]) -> dict[str, list[str]]:
    """Open the start pages and every page they link to (a few of each URL name):
    {url: the page's lines}."""
    pages: dict[str, list[str]] = {}
    opened: Counter[str] = Counter()
    of_name: Counter[str] = Counter()
    seen: set[str] = set()
    queue = list(starts)
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        query = urlsplit(url).query
        kind = name + re.sub(r"\d+", "#", query)  # ?page=2 and ?page=3 alike
        if url not in starts and (
            opened[kind] >= PAGES_OF_A_KIND
            or of_name[name] >= PAGES_OF_A_NAME
            or "format=" in query  # a download (the spreadsheets have a test of their own)
        ):
            continue
        opened[kind] += 1
        of_name[name] += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = PageText()
        page.feed(response.content.decode())
        pages[url] = page.lines()
        for href in page.links:
            link = urlsplit(urljoin(url, href))
            if link.netloc or not link.path.startswith("/") or NOT_PAGES.search(link.path):
                continue
            queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return pages


def report(pages: dict[str, list[str]], known: list[str]) -> list[str]:
    problems = []
    for url, lines in pages.items():
        bad = list(dict.fromkeys(offences(lines, known)))
        if bad:
            problems.append(url + "\n" + "\n".join(f"    {line[:200]}" for line in bad))
    return problems


STAFF = [r.value for r in Role if r != Role.CITIZEN]
ROLES = ["anonymous", *[r.value for r in Role], "trader"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_opens_is_bengali(client, city, role):
    from accounts.demo import CITIZEN_MOBILE, DEMO_STAFF
    from accounts.models import User
    from trade_licenses.demo import DEMO_TRADER_MOBILE

    mobiles = {r: m for r, m, *_ in DEMO_STAFF}
    mobiles.update({Role.CITIZEN: CITIZEN_MOBILE, "trader": DEMO_TRADER_MOBILE})
    client.cookies["kcc_language"] = "bn"
    if role != "anonymous":
        client.force_login(User.objects.get(mobile=mobiles[role]))
    starts = role_starts(None if role == "anonymous" else role)
    with time_machine.travel(TODAY, tick=True):
        pages = visit(client, starts)
    assert len(pages) >= 5
    problems = report(pages, typed_in_english())
    assert not problems, f"{role}: English or Latin digits on Bengali pages:\n" + "\n".join(
        problems
    )


# --- what the pages say back -------------------------------------------------------------------


def said(response) -> list[str]:
    page = PageText()
    page.feed(response.content.decode())
    return page.lines()


def assert_bengali(answers: dict[str, object], known: list[str] = ()) -> None:
    problems = [
        f"{what}\n" + "\n".join(f"    {line[:200]}" for line in dict.fromkeys(bad))
        for what, response in answers.items()
        if (bad := offences(said(response), list(known)))
    ]
    assert not problems, "English or Latin digits in Bengali answers:\n" + "\n".join(problems)


def test_signing_in_and_up_answers_in_bengali(client, make_user):
    from accounts.models import SmsMessage

    def last_code(mobile):
        sms = SmsMessage.objects.filter(to=mobile, kind="code").order_by("-pk").first()
        return re.search(r"\b(\d{6})\b", sms.text).group(1)

    client.cookies["kcc_language"] = "bn"
    clerk = "01711000002"
    make_user(Role.COUNTER_CLERK, mobile=clerk, password="pw-matrix-123")
    answers = {
        "a number that is not one": client.post("/accounts/login/", {"login": "12345"}),
        "the code page": client.post("/accounts/login/", {"login": clerk}, follow=True),
        "a wrong code": client.post("/accounts/login/code/confirm/", {"code": "000000"}),
    }
    confirm = {"code": last_code(clerk)}
    answers["the password page"] = client.post(
        "/accounts/login/code/confirm/", confirm, follow=True
    )
    answers["a wrong password"] = client.post("/accounts/login/password/", {"password": "nope"})
    right = {"password": "pw-matrix-123"}
    answers["signed in"] = client.post("/accounts/login/password/", right, follow=True)
    answers["the sign-out page"] = client.get("/accounts/logout/")
    answers["signed out"] = client.post("/accounts/logout/", follow=True)
    answers["a sign-up"] = client.post("/accounts/signup/", {"phone": "01812345678"}, follow=True)
    code_page = answers["a sign-up"].redirect_chain[-1][0]
    answers["a wrong sign-up code"] = client.post(code_page, {"code": "000000"})
    assert_bengali(answers)


def test_mistakes_and_messages_are_told_in_bengali(client, city):
    """Forms sent with mistakes, and what a page says after a step: the errors and the
    flash messages carry numbers too (a holding number, a count, a size, a mobile)."""
    from accounts.demo import CITIZEN_MOBILE, DEMO_STAFF
    from accounts.models import User
    from holdings.models import Holding
    from trade_licenses import services as licences

    staff = {role: User.objects.get(mobile=mobile) for role, mobile, *_ in DEMO_STAFF}
    citizen = User.objects.get(mobile=CITIZEN_MOBILE)
    holding = Holding.objects.get(ward__number=1, number="12")
    client.cookies["kcc_language"] = "bn"
    answers = {}
    with time_machine.travel(TODAY, tick=True):
        unknown = urlencode({"ward": 1, "number": "99999"})
        answers["quick pay for an unknown holding"] = client.get(f"/holdings/quick-pay/?{unknown}")
        answers["an unknown licence number"] = client.get(
            "/licences/search/?number=KCC/TL/2025-26/999999"
        )
        answers["an unknown verification code"] = client.get("/verify/abcdef0123456789/")

        client.force_login(citizen)
        answers["linking an unknown holding"] = client.post(
            "/holdings/link/", {"ward": "1", "number": "99999", "method": "nid", "nid": "123"}
        )
        answers["an objection without a reason"] = client.post(
            f"/holdings/{holding.pk}/objection/", {"reason": "", "claimed_rent": "abc"}
        )
        answers["a holding number asked for, with nothing filled in"] = client.post(
            "/holdings/new/", {}
        )
        answers["a licence applied for, with nothing filled in"] = client.post(
            "/licences/apply/", {}
        )
        answers["a profile with a short NID"] = client.post(
            "/accounts/profile/",
            {"name_bn": "রহিম উদ্দিন", "nid": "123", "preferred_language": "bn"},
        )
        business = licences.business_create(
            actor=citizen,
            trader=citizen,
            name_bn="রহিম স্টোর",
            name_en="Rahim Store",
            category_code="grocery",
            premises_address="12 KDA Avenue, Khulna",
            ward=1,
        )
        draft = licences.application_create_draft(
            business=business, filed_by=citizen, trader_tin="123456789012"
        )
        too_large = SimpleUploadedFile(
            "nid.pdf", PDF + b"0" * (12 * 1024 * 1024), content_type="application/pdf"
        )
        answers["a document too large"] = client.post(
            f"/licences/applications/{draft.pk}/documents/", {"kind": "nid", "file": too_large}
        )
        answers["the documents still missing"] = client.get(
            f"/licences/applications/{draft.pk}/documents/"
        )
        answers["an application not ready to submit"] = client.get(
            f"/licences/applications/{draft.pk}/"
        )

        client.force_login(staff[Role.REVENUE_OFFICER])
        answers["a demand run for a year to come"] = client.post(
            "/holdings/officer/demand/", {"fiscal_year": "2030-31"}
        )
        client.force_login(staff[Role.COUNTER_CLERK])
        answers["the counter, asked for an unknown holding"] = client.get(
            f"/holdings/counter/?{unknown}"
        )
    assert_bengali(answers, typed_in_english())


def test_allauths_words_have_bengali():
    from django.utils import translation

    from accounts.allauth_messages import MESSAGES

    with translation.override("bn"):
        untranslated = [m for m in MESSAGES if translation.gettext(m) == m]
    assert not untranslated


@pytest.mark.parametrize(
    ("line", "offends"),
    [
        ("FY 2026-27 schedule: residential rate on the annual valuation", True),
        ("যেমন ১২৩, ১২/A বা 123।", True),
        ("Remember Me", True),
        ("হোল্ডিং হোল্ডিং ১৭, ওয়ার্ড ৫", True),
        ("ওয়ার্ড ৫ — ওয়ার্ড ৫", True),
        ("আবেদন TL-32", True),
        ("সর্বোচ্চ ৫ MB।", True),
        ("আবেদন TL-৩২ · অর্থবছর ২০২৫-২৬", False),
        ("বিল B202526QMBLBJ7D, রসিদ KCC/R/2025-26/000001, লেনদেন P251120ABCDEFGHJKLM", False),
        ("বিকাশ বা নগদ; SMS-এ রসিদ, PDF-এ সনদ", False),
        ("ইউনিট ধরে ধরে (এক তলায় মালিক)", False),
        ("23 Khan Jahan Ali Road, Khulna", False),  # what someone typed
    ],
)
def test_the_check_tells_english_from_what_it_knows(line, offends):
    assert bool(offences([line], ["23 Khan Jahan Ali Road, Khulna"])) is offends


def test_spreadsheets_downloaded_from_a_bengali_page_are_bengali(client, city):
    """The sheet's name and its column headings, as the reports' Excel downloads make them."""
    import io

    import openpyxl

    from accounts.demo import DEMO_STAFF
    from accounts.models import User

    revenue_officer = next(m for r, m, *_ in DEMO_STAFF if r == Role.REVENUE_OFFICER)
    client.force_login(User.objects.get(mobile=revenue_officer))
    client.cookies["kcc_language"] = "bn"
    problems = []
    with time_machine.travel(TODAY, tick=True):
        for url in (
            "/licences/officer/reports/?format=xlsx",
            "/holdings/officer/collection/?format=xlsx",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
            headings = [str(c.value or "") for c in next(sheet.iter_rows(max_row=1))]
            bad = offences([sheet.title, *headings], [])
            problems += [f"{url}: {line}" for line in bad]
    assert not problems, "\n".join(problems)
