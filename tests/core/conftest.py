"""Core tests assert English text unless they switch to Bengali themselves."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_unless_told():
    with translation.override("en"):
        yield
