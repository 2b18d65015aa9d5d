"""Trade licence URLs (trader pages), mounted at /licences/."""

from django.urls import path

from ..views import counter as counter_views
from ..views import trader as views

urlpatterns = [
    path("", views.my_licences, name="mine"),
    path("apply/", views.licence_apply, name="apply"),
    path("applications/<int:pk>/", views.licence_application, name="application"),
    path(
        "applications/<int:pk>/edit/",
        views.licence_application_edit,
        name="application_edit",
    ),
    path("applications/<int:pk>/documents/", views.licence_documents, name="documents"),
    path("applications/<int:pk>/pay/", views.licence_pay, name="pay"),
    path("documents/<int:pk>/", views.licence_document, name="document"),
    path("counter/apply/", counter_views.CounterApplyView.as_view(), name="counter_apply"),
    path("renew/<int:business_pk>/", views.licence_renew, name="renew"),
]
