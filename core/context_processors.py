"""Values every template gets: the city profile and today's date."""

from django.utils import timezone

from .models import CityProfile


def portal(request):
    return {"city": CityProfile.current(), "today": timezone.localdate()}
