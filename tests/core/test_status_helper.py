"""core.status: one check of a status move against an app's map of allowed transitions, and
one status label (used by payments, trade licences and holdings' objections)."""

from __future__ import annotations

from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.status import can_transition, check_transition, status_label


class Light(models.TextChoices):
    RED = "red", gettext_lazy("Open")  # a label the Bengali catalogue translates
    GREEN = "green", "Green"


TRANSITIONS = {Light.RED: {Light.GREEN}, Light.GREEN: set()}
MESSAGE = gettext_lazy("The light %(name)s cannot go from “%(old)s” to “%(new)s”.")


class Refused(Exception):
    pass


def test_status_label_is_the_translated_label():
    assert status_label(Light, "red") == "Open"
    assert status_label(Light, Light.GREEN) == "Green"
    with translation.override("bn"):
        assert status_label(Light, "red") == str(gettext_lazy("Open"))
        assert status_label(Light, "red") != "Open"


def test_status_label_of_an_unknown_value_is_the_value():
    assert status_label(Light, "amber") == "amber"
    assert status_label(Light, "") == ""
    assert status_label(Light, None) == ""


def test_can_transition_follows_the_map_with_plain_strings_or_members():
    assert can_transition(TRANSITIONS, "red", "green")
    assert can_transition(TRANSITIONS, Light.RED, Light.GREEN)
    assert not can_transition(TRANSITIONS, "green", "red")
    assert not can_transition(TRANSITIONS, "red", "red")
    assert not can_transition(TRANSITIONS, "amber", "green")  # unknown: nothing allowed


def test_allowed_move_passes():
    assert (
        check_transition(
            TRANSITIONS, "red", "green", choices=Light, message=MESSAGE, params={"name": "A"}
        )
        is None
    )


def test_refused_move_is_a_validation_error_with_the_labels_by_default():
    with pytest.raises(
        ValidationError, match="The light A cannot go from “Green” to “Open”."
    ) as exc:
        check_transition(
            TRANSITIONS, "green", "red", choices=Light, message=MESSAGE, params={"name": "A"}
        )
    assert exc.value.code == "bad_transition"


def test_refused_move_raises_the_callers_error():
    with pytest.raises(Refused, match="^The light B cannot go from “amber” to “Green”.$"):
        check_transition(
            TRANSITIONS,
            "amber",
            "green",
            choices=Light,
            message=MESSAGE,
            error=Refused,
            params={"name": "B"},
        )
    with pytest.raises(ValidationError) as exc:
        check_transition(
            TRANSITIONS,
            "green",
            "red",
            choices=Light,
            message="Decided.",
            error=partial(ValidationError, code="decided"),
        )
    assert exc.value.code == "decided" and exc.value.messages == ["Decided."]


def test_the_message_is_in_the_active_language():
    message = gettext_lazy("The application cannot go from “%(old)s” to “%(new)s”.")
    with translation.override("bn"):
        with pytest.raises(ValidationError) as exc:
            check_transition(TRANSITIONS, "green", "red", choices=Light, message=message)
        expected = str(message) % {"old": "Green", "new": str(gettext_lazy("Open"))}
    assert exc.value.messages[0] == expected
    assert "cannot go from" not in expected
