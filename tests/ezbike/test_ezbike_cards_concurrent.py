"""Two binds of one card UID at the same moment, each for another e-bike, on PostgreSQL
(threads and a barrier): one succeeds, the other is refused, one card in the register."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from ezbike.models import CardLookup, RfidCard
from ezbike.services import card_bind, card_replace

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def run_together(*calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            with translation.override("en"):
                return call()
        except ValidationError as e:
            return e
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_binds_of_one_uid_at_once_one_wins(make_vehicle, license_vehicle, officer):
    a, b = make_vehicle(1), make_vehicle(2)
    license_vehicle(a)
    license_vehicle(b)
    for _ in range(3):  # a few rounds, each with a fresh UID
        uid = f"04A21B{_:02d}"
        results = run_together(
            lambda v=a, u=uid: card_bind(vehicle=v, uid=u, actor=officer),
            lambda v=b, u=uid: card_bind(vehicle=v, uid=u, actor=officer),
        )
        won = [r for r in results if isinstance(r, RfidCard)]
        lost = [r for r in results if isinstance(r, ValidationError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert "already in the register" in lost[0].messages[0]
        assert RfidCard.objects.filter(uid=uid).count() == 1
        assert CardLookup.objects.get(uid=uid).plate == won[0].vehicle.plate_no
        # Free both vehicles for the next round: blacklist the winner's card.
        RfidCard.objects.filter(uid=uid).update(status="blacklisted")


def test_two_replacements_of_one_card_at_once_one_wins(make_vehicle, license_vehicle, officer):
    vehicle = make_vehicle(1)
    license_vehicle(vehicle)
    card = card_bind(vehicle=vehicle, uid="0A0B0C0D", actor=officer)
    results = run_together(
        lambda: card_replace(card=card, new_uid="0A0B0C0E", reason="Lost", actor=officer),
        lambda: card_replace(card=card, new_uid="0A0B0C0F", reason="Lost", actor=officer),
    )
    assert sum(isinstance(r, RfidCard) for r in results) == 1, results
    assert RfidCard.objects.filter(vehicle=vehicle, status="in_use").count() == 1
    assert RfidCard.objects.filter(vehicle=vehicle).count() == 2
    statuses = dict(CardLookup.objects.values_list("uid", "status"))
    assert statuses["0A0B0C0D"] == "blacklisted"
    assert sorted(statuses.values()) == ["blacklisted", "valid"]
    from payments.models import Bill

    # One replacement, one fee billed.
    assert Bill.objects.filter(subject_type="card").count() == 1
