"""Trade licence URLs (trader pages), mounted at /licences/."""

from django.urls import path

from . import counter_views
from . import trader_views as views

urlpatterns = [
    path("", views.my_licences, name="my_licences"),
    path("apply/", views.licence_apply, name="licence_apply"),
    path("applications/<int:pk>/", views.licence_application, name="licence_application"),
    path(
        "applications/<int:pk>/edit/",
        views.licence_application_edit,
        name="licence_application_edit",
    ),
    path("applications/<int:pk>/documents/", views.licence_documents, name="licence_documents"),
    path("applications/<int:pk>/pay/", views.licence_pay, name="licence_pay"),
    path("documents/<int:pk>/", views.licence_document, name="licence_document"),
    path("counter/apply/", counter_views.CounterApplyView.as_view(), name="licence_counter_apply"),
    path("renew/<int:business_pk>/", views.licence_renew, name="licence_renew"),
]
