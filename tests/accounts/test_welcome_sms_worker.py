"""The welcome SMS after sign-up goes through a real Celery worker, not eagerly."""

import time

import pytest

from accounts import services
from accounts.models import SmsMessage
from kcc_portal.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_welcome_sms_is_sent_by_the_worker(make_user, celery_worker_thread):
    assert app.conf.task_always_eager is False
    user = make_user(role=None, mobile="01555000111")
    services.user_register_citizen(user=user)
    assert wait_for(lambda: SmsMessage.objects.filter(to=user.mobile, kind="welcome").exists())
    sms = SmsMessage.objects.get(to=user.mobile, kind="welcome")
    assert sms.status == SmsMessage.Status.SENT
    assert user.groups.filter(name="citizen").exists()


def test_without_a_worker_nothing_is_sent_eagerly(
    make_user, django_capture_on_commit_callbacks, monkeypatch
):
    from accounts import tasks

    queued = []
    real_delay = tasks.send_welcome_sms.delay
    monkeypatch.setattr(
        tasks.send_welcome_sms, "delay", lambda *a, **kw: queued.append(a) or real_delay(*a, **kw)
    )
    user = make_user(role=None, mobile="01555000222")
    # The commit hooks run (here on the real commit; the capture also runs them should
    # this test ever be wrapped in a transaction), so the task really is handed to the
    # broker: without a worker it waits there instead of sending the SMS in-process.
    with django_capture_on_commit_callbacks(execute=True):
        services.user_register_citizen(user=user)
    assert queued == [(user.pk,)]
    time.sleep(0.5)
    assert not SmsMessage.objects.filter(to=user.mobile, kind="welcome").exists()
