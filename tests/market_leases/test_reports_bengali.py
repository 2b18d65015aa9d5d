"""The reports and the renewal pages read in Bengali have no English sentence and no Latin
digit outside the names and codes typed as they are (the check of
tests/core/test_bengali_pages.py, on the reports' worked city): with rows, with a wrong
filter, empty, and the renewal's form, confirmation and refusal."""

from __future__ import annotations

import pytest

from tests.core.test_bengali_pages import PageText, offences

from .test_reports import ARREARS, COLLECTION, VACANT, city  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

#: Typed in English in the fixtures: names, a road, the decision's memo numbers.
TYPED = ["New Market", "KDA Avenue", "Boro Bazar", "Karim", "Rahim", "KCC/Estate/2026/240"]


def lines(response) -> list[str]:
    page = PageText()
    page.feed(response.content.decode())
    return page.lines()


def test_every_report_and_renewal_page_is_bengali(client, officer, city):  # noqa: F811
    client.force_login(officer)
    client.cookies["kcc_language"] = "bn"
    a12 = city["a12"]
    renew = f"/markets/officer/allotments/{a12.pk}/renew/"
    data = {"ends_on": "২০৩২-০১-৩১", "decision_reference": "KCC/Estate/2026/240"}
    answers = {
        "collection": client.get(COLLECTION),
        "collection of a market": client.get(COLLECTION, {"market": city["new"].pk}),
        "collection, wrong month": client.get(COLLECTION, {"start": "2026-13"}),
        "collection, months backwards": client.get(
            COLLECTION, {"start": "২০২৬-১২", "end": "২০২৬-১১"}
        ),
        "arrears": client.get(ARREARS, {"order": "oldest"}),
        "arrears, none": client.get(ARREARS, {"market": city["boro"].pk}),
        "vacant": client.get(VACANT),
        "vacant, wrong floor": client.get(VACANT, {"floor": "first"}),
        "vacant, none": client.get(VACANT, {"floor": "১"}),
        "renewals": client.get("/markets/officer/renewals/", {"within": "৩০০০"}),
        "renewals, none": client.get("/markets/officer/renewals/"),
        "renewals, wrong days": client.get("/markets/officer/renewals/", {"within": "x"}),
        "renewal form": client.get(renew),
        "renewal confirmation": client.post(renew, data),
        "renewal refused": client.post(renew, {**data, "ends_on": "2026-01-01", "confirm": "yes"}),
        "renewal without a memo": client.post(
            renew, {"ends_on": "২০৩২-০১-৩১", "decision_reference": "", "confirm": "yes"}
        ),
        "landing": client.get("/markets/officer/"),
    }
    problems = []
    for what, response in answers.items():
        assert response.status_code in (200, 400), what
        bad = list(dict.fromkeys(offences(lines(response), TYPED)))
        if bad:
            problems.append(what + "\n" + "\n".join(f"    {line[:200]}" for line in bad))
    assert not problems, "English or Latin digits on Bengali pages:\n" + "\n".join(problems)
