"""Holdings URLs (citizen pages, quick pay and the counter desk), mounted at /holdings/."""

from django.urls import path

from . import citizen_views as views

urlpatterns = [
    path("", views.my_holdings, name="my_holdings"),
    path("link/", views.holding_link, name="holding_link"),
    path("new/", views.holding_number_apply, name="holding_number_apply"),
    path("link/<int:holding_pk>/code/", views.holding_link_code, name="holding_link_code"),
    path("<int:pk>/", views.holding_statement, name="holding_statement"),
    path("<int:pk>/objection/", views.holding_objection, name="holding_objection_file"),
    path(
        "<int:pk>/objections/<int:objection_pk>/appeal/",
        views.holding_appeal,
        name="holding_appeal_file",
    ),
    path("<int:pk>/mutation/", views.holding_mutation, name="holding_mutation_apply"),
    path("quick-pay/", views.quick_pay, name="holding_quick_pay"),
    path("counter/", views.HoldingCounterView.as_view(), name="holding_counter"),
]
