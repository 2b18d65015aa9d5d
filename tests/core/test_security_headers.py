"""A Content-Security-Policy on every response, and no inline script anywhere for it to
have to allow: every template is scanned for <script> without src and on…= handlers."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from core.roles import Role

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(href|action|src)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def project_templates() -> list[Path]:
    folders = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if folder.is_dir() and ROOT in folder.parents and ".venv" not in folder.parts:
            folders.append(folder)
    return sorted({p for folder in folders for p in folder.rglob("*.html")})


def test_the_scan_sees_the_templates():
    names = {str(p.relative_to(ROOT)) for p in project_templates()}
    assert "templates/base.html" in names
    assert "payments/simulator/templates/gateway_simulator/return.html" in names


def test_no_template_has_inline_script_or_event_handlers():
    found = []
    for path in project_templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)[:80]}")
    assert not found, "inline script in templates:\n" + "\n".join(found)


def test_the_scan_would_catch_them():
    assert INLINE_SCRIPT.search("<p>x</p><script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">')
    assert not INLINE_SCRIPT.search('<script src="/static/js/portal.js" defer></script>')
    assert HANDLER.search('<button type="button" onclick="window.print()">')
    assert HANDLER.search('<select\n  onchange="this.form.submit()">')
    assert not HANDLER.search('<button type="button" data-print>')


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "url",
    ["/", "/accounts/login/", "/healthz", "/licences/search/", "/no-such-page/", "/admin/login/"],
)
def test_every_response_carries_the_policy(client, url):
    csp = policy(client.get(url))
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert "'unsafe-inline'" not in csp["script-src"]


def test_forms_may_post_to_the_gateway(client, settings):
    settings.SSLCOMMERZ_BASE_URL = "https://securepay.sslcommerz.com"
    csp = policy(client.get("/"))
    assert csp["form-action"] == ["'self'", "https://securepay.sslcommerz.com"]


def test_api_docs_page_loads_its_script_from_the_site(client, make_user):
    client.force_login(make_user(Role.REVENUE_OFFICER))
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert not INLINE_SCRIPT.search(page)
    script = re.search(r'<script src="([^"]*script=[^"]*)"', page).group(1).replace("&amp;", "&")
    response = client.get(script)
    assert response.status_code == 200
    assert b"SwaggerUIBundle" in response.content
