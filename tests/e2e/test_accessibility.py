"""axe-core (Deque, MPL-2.0; tests/e2e/vendor/axe.min.js, version 4.10.3 from npm) run in
Chromium on the citizen's and the counter's pages, on a phone and a desktop, in Bengali
and English: no serious or critical violation of WCAG 2.1 A/AA.

The script is injected into the page by the test only; the portal never serves it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.demo import CITIZEN_MOBILE
from accounts.models import User
from holdings.models import Holding
from tests.conftest import PHONE

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
DESKTOP = {"width": 1280, "height": 900}
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def violations(page) -> list[dict]:
    page.evaluate(AXE + "\n;undefined")  # through DevTools: the page's CSP allows no inline script
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            });
            return {passes: r.passes.length, violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }))};
        }"""
    )
    assert result["passes"] > 0  # axe really ran its rules on the page
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo")
    return {
        "citizen": User.objects.get(mobile=CITIZEN_MOBILE),
        "clerk": User.objects.get(mobile="01711000002"),
        "holding": Holding.objects.filter(owners__user__mobile=CITIZEN_MOBILE).first(),
    }


@pytest.mark.parametrize("lang", ["bn", "en"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_citizen_and_counter_pages_have_no_serious_violations(phone, demo, lang, viewport):
    holding = demo["holding"]
    pages = {
        None: ["/", "/holdings/quick-pay/", "/verify/", "/licences/search/"],
        demo["citizen"]: [
            "/dashboard/",
            "/payments/bills/",
            "/holdings/",
            f"/holdings/{holding.pk}/",
            "/licences/",
        ],
        demo["clerk"]: ["/payments/counter/", "/payments/counter/?q=01711000001"],
    }
    found = {}
    for user, paths in pages.items():
        page = phone(user, lang=lang, viewport=viewport)
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status < 400, path
            bad = violations(page)
            if bad:
                found[path] = bad
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


def test_the_check_finds_a_violation(page):
    """The check can fail: an image without a text alternative and an unlabelled input."""
    page.set_content('<html lang="en"><body><img src="x.png"><input type="text"></body></html>')
    assert {v["id"] for v in violations(page)} >= {"image-alt", "label"}
