"""A trader's uploaded papers (NID, e-TIN, agreements): only the trader, the clerk who
filed the application, and the officers whose queue holds it may download them; others —
other clerks walking ids included — get 404; every download is audited."""

import pytest

from core.models import AuditLog
from core.roles import Role
from trade_licenses.services import application_submit

pytestmark = pytest.mark.django_db


def url(document) -> str:
    return f"/licences/documents/{document.pk}/"


@pytest.fixture
def other_traders_application(make_user, make_business, make_draft, add_documents):
    other = make_user(
        Role.CITIZEN, mobile="01888000001", name_en="Other trader", nid="1990123456789"
    )
    application = make_draft(make_business(other, name_en="Other Store"), filed_by=other)
    add_documents(application, other)
    return application_submit(application=application, actor=other)


def test_clerks_walking_ids_find_nothing(
    client,
    clerk,
    make_user,
    other_traders_application,
    make_draft,
    make_business,
    add_documents,
    trader,
):
    # A clerk who filed an application of their own …
    mine = make_draft(make_business(name_en="Filed at the counter"), filed_by=clerk)
    add_documents(mine, clerk)
    client.force_login(clerk)
    for document in mine.documents.all():
        assert client.get(url(document)).status_code == 200
    # … gets 404 for every other trader's NID and TIN scan, and so does any other clerk.
    for user in (clerk, make_user(Role.COUNTER_CLERK, name_en="Other clerk")):
        client.force_login(user)
        for document in other_traders_application.documents.all():
            assert client.get(url(document)).status_code == 404, document.kind
    assert (
        not AuditLog.objects.filter(action="trade_licence.document_downloaded", actor__in=[clerk])
        .exclude(object_id__in=[str(d.pk) for d in mine.documents.all()])
        .exists()
    )


def test_the_queue_and_the_trader_may_download_and_each_download_is_audited(
    client, inspector, officer, make_user, other_traders_application
):
    nid = other_traders_application.documents.get(kind="nid")
    trader = other_traders_application.business.trader
    for user in (trader, inspector, officer):
        client.force_login(user)
        response = client.get(url(nid), REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200
        b"".join(response.streaming_content)
        row = AuditLog.objects.filter(action="trade_licence.document_downloaded").latest("pk")
        assert row.actor == user
        assert row.object_id == str(nid.pk)
        assert row.ip_address == "10.1.2.3"
        assert row.after["kind"] == "nid"
    assert AuditLog.objects.filter(action="trade_licence.document_downloaded").count() == 3
    # Refused downloads leave no file in anyone's hands (and no "downloaded" row).
    client.force_login(make_user(Role.ASSESSOR))
    assert client.get(url(nid)).status_code == 404
    assert AuditLog.objects.filter(action="trade_licence.document_downloaded").count() == 3


def test_officer_page_links_documents_only_for_those_who_may_open_them(
    client, make_user, other_traders_application
):
    from trade_licenses.models import Application

    Application.objects.filter(pk=other_traders_application.pk).update(status="approval")
    # An inspector who never inspected it: the page lists the papers without links.
    client.force_login(make_user(Role.LICENCE_INSPECTOR))
    page = client.get(f"/licences/officer/applications/{other_traders_application.pk}/")
    assert page.status_code == 200
    assert "/licences/documents/" not in page.content.decode()
    client.force_login(make_user(Role.LICENCE_OFFICER))
    page = client.get(f"/licences/officer/applications/{other_traders_application.pk}/")
    assert "/licences/documents/" in page.content.decode()
