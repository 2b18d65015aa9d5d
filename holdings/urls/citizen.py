"""Holdings URLs (citizen pages, quick pay and the counter desk), mounted at /holdings/."""

from django.urls import path

from ..views import citizen as views

urlpatterns = [
    path("", views.my_holdings, name="mine"),
    path("link/", views.holding_link, name="link"),
    path("new/", views.holding_number_apply, name="number_apply"),
    path("link/<int:holding_pk>/code/", views.holding_link_code, name="link_code"),
    path("<int:pk>/", views.holding_statement, name="statement"),
    path("<int:pk>/objection/", views.holding_objection, name="objection_file"),
    path(
        "<int:pk>/objections/<int:objection_pk>/appeal/",
        views.holding_appeal,
        name="appeal_file",
    ),
    path("<int:pk>/mutation/", views.holding_mutation, name="mutation_apply"),
    path("quick-pay/", views.quick_pay, name="quick_pay"),
    path("counter/", views.HoldingCounterView.as_view(), name="counter"),
]
