"""Water bill URLs: citizen pages (my water connections, linking one, a connection's page, a
month's bill as PDF; the pay link of a bill's SMS)."""

from django.urls import path

from ..views import citizen as views

urlpatterns = [
    path("", views.my_connections, name="mine"),
    path("link/", views.link, name="link"),
    path("link/<str:consumer_no>/code/", views.link_code, name="link_code"),
    path("connections/<str:consumer_no>/", views.connection_page, name="connection"),
    path("bills/<int:pk>/pdf/", views.bill_pdf, name="bill_pdf"),
    path("pay/<str:code>/", views.pay, name="pay"),
]
