"""Base pages: home, language switch, dashboards, health check; and the role mixins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from django.views.i18n import set_language as django_set_language

from . import citizen_cache, portal
from .roles import ROLE_DASHBOARD_PERMISSION, Role, perm, signs_in_as_staff


class StaffRoleRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Anonymous → sign-in page; signed in without the permission → 403."""

    raise_exception = False
    request: HttpRequest

    def handle_no_permission(self) -> HttpResponseRedirect:
        if self.request.user.is_authenticated:
            raise PermissionDenied(_("Your role does not allow this page."))
        return super().handle_no_permission()


class AnyPermissionRequired(StaffRoleRequiredMixin):
    """Like StaffRoleRequiredMixin, but any one of `permission_required` is enough."""

    def has_permission(self) -> bool:
        user = self.request.user
        return any(user.has_perm(p) for p in self.get_permission_required())


PER_PAGE = 25


def paginate(
    request: HttpRequest,
    qs: QuerySet[Any] | Sequence[Any],
    param: str = "page",
    per_page: int = PER_PAGE,
) -> Page[Any]:
    """One page of a long list (`?page=`, or another parameter for a second list);
    templates show it with includes/pagination.html."""
    page = Paginator(qs, per_page).get_page(request.GET.get(param))
    for name, number in (
        ("previous_query", page.has_previous() and page.previous_page_number()),
        ("next_query", page.has_next() and page.next_page_number()),
    ):
        query = request.GET.copy()
        if number:
            query[param] = str(number)
        setattr(page, name, query)
    return page


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from .models import CityProfile

        city = CityProfile.current()
        return super().get_context_data(services=portal.home_cards(city), **kwargs)


def staff_roles(user: Any) -> list[Role]:
    """The staff roles whose dashboard `user` may open, in the order of Role."""
    return [
        r
        for r in Role
        if r in ROLE_DASHBOARD_PERMISSION and user.has_perm(perm(ROLE_DASHBOARD_PERMISSION[r]))
    ]


def landing_url(user: Any) -> str:
    """Where `user` lands after signing in: a citizen on their dashboard; staff on their own
    work — one role: its first work page (the counter, the inspection queue, …) or, with
    none, the role's dashboard; several roles (an administrator): the list of them."""
    if not (user.is_authenticated and user.has_perm(perm("view_staff_dashboard"))):
        return reverse("dashboard")
    roles = staff_roles(user)
    if len(roles) != 1:
        return reverse("staff_home")
    links = portal.role_links(roles[0])
    return links[0]["url"] if links else reverse("staff_dashboard", kwargs={"role": roles[0]})


class DashboardView(LoginRequiredMixin, TemplateView):
    """The citizen's one place: what I owe, my holdings, my licences, my payments — a panel
    from each installed app's declaration (core.portal). Staff are sent to their own work
    (landing_url): the citizen dashboard is never a staff member's page."""

    template_name = "core/dashboard.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A citizen's account (no password: core.roles.signs_in_as_staff) has no staff
        # work to be sent to: its permissions are not loaded.
        user = request.user
        if signs_in_as_staff(user) and user.has_perm(perm("view_staff_dashboard")):
            return HttpResponseRedirect(landing_url(user))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        panels = portal.panels()
        contexts = citizen_cache.figures(
            user, "dashboard", lambda: {p.key: p.context(user) for p in panels}
        )
        sections = [
            {
                "key": p.key,
                "title": p.title,
                "template": p.template,
                "wide": p.wide,
                **contexts[p.key],
            }
            for p in panels
        ]
        return super().get_context_data(sections=sections, **kwargs)


class StaffHomeView(StaffRoleRequiredMixin, TemplateView):
    """Lists the role dashboards this member of staff may open."""

    template_name = "staff/index.html"
    permission_required = perm("view_staff_dashboard")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(roles=staff_roles(self.request.user), **kwargs)


class StaffDashboardView(StaffRoleRequiredMixin, TemplateView):
    """One role's work queue shell."""

    template_name = "staff/dashboard.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        role = kwargs["role"]
        if role not in ROLE_DASHBOARD_PERMISSION:
            raise Http404
        self.role = Role(role)
        return super().dispatch(request, *args, **kwargs)

    def get_permission_required(self) -> list[str]:
        return [perm(ROLE_DASHBOARD_PERMISSION[self.role])]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.update(role=self.role, panels=portal.role_links(self.role))
        return super().get_context_data(**kwargs)


class SetLanguageView(View):
    """Django's set_language, but an unknown language code gets a clear message."""

    def post(self, request: HttpRequest) -> HttpResponse:
        code = request.POST.get("language", "")
        valid = {c for c, _label in settings.LANGUAGES}
        if code not in valid:
            messages.error(
                request,
                _("Unknown language “%(code)s”. Choose বাংলা or English.") % {"code": code[:20]},
            )
            next_url = request.POST.get("next") or "/"
            if not url_has_allowed_host_and_scheme(
                next_url, {request.get_host()}, require_https=request.is_secure()
            ):
                next_url = "/"
            return HttpResponseRedirect(next_url)
        response = django_set_language(request)
        if request.user.is_authenticated:
            # accounts keeps it as the user's preferred language (audited); core does not
            # import accounts, so it only announces the choice.
            from .signals import language_chosen

            language_chosen.send(
                sender=type(self), request=request, user=request.user, language=code
            )
        translation.activate(code)
        return response

    def get(self, request: HttpRequest) -> HttpResponseRedirect:
        return redirect("home")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """JSON health of each dependency: database, cache, broker, worker heartbeat.

    200 when the database, the cache and the broker all answer; 503 when one of them does
    not. The worker's heartbeat is reported ("ok", "stale", "missing") but a stale one is
    only listed under "degraded" (still 200, status "ok"): pages and payments keep working
    while the worker is away (tasks wait in the broker), and a load balancer must not take
    every web node out of service because the worker stopped. Set HEALTHZ_WORKER_REQUIRED
    to make it 503 as well.

    Only internal callers (loopback, HEALTHZ_INTERNAL_NETWORKS, or the HEALTHZ_TOKEN in an
    X-Healthz-Token header; see core.health.is_internal) see each dependency's state; the
    public answer is {"status": "ok"} or {"status": "unavailable"}.
    """
    from . import health

    status, body = health.report()
    if not health.is_internal(request):
        body = {"status": "unavailable" if status >= 500 else "ok"}
    return JsonResponse(body, status=status)


@require_GET
def city_logo(request: HttpRequest) -> HttpResponseBase:
    """The city's uploaded logo, read through the storage (a local folder or a private
    bucket: nothing serves MEDIA_ROOT), cached by browsers for a day; 404 without one."""
    import mimetypes

    from .models import CityProfile
    from .storage import stream_file

    logo = CityProfile.current().logo
    mime = mimetypes.guess_type(logo.name or "")[0] or "application/octet-stream"
    response = stream_file(logo, content_type=mime)
    response["Cache-Control"] = "public, max-age=86400"  # the same for everyone
    return response
