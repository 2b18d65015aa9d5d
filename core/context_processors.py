"""Values every template gets: the city profile and today's date."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from .models import CityProfile


def portal(request: HttpRequest) -> dict[str, Any]:
    return {"city": CityProfile.current(), "today": timezone.localdate()}
