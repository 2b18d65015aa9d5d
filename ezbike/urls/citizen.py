"""E-bike URLs: the owner's pages (my e-bikes, an e-bike's page, renewal, the PDFs), the
application from home and at the counter."""

from django.urls import URLPattern, path

from ..views import applications, citizen

urlpatterns: list[URLPattern] = [
    path("", citizen.MyVehiclesView.as_view(), name="mine"),
    path("apply/", applications.ApplyView.as_view(), name="apply"),
    path("counter/apply/", applications.CounterApplyView.as_view(), name="counter_apply"),
    path("vehicles/<int:pk>/", citizen.VehicleView.as_view(), name="vehicle"),
    path("vehicles/<int:pk>/renew/", citizen.RenewView.as_view(), name="renew"),
    path("vehicles/<int:pk>/licence/", citizen.LicenceActionView.as_view(), name="licence_action"),
    path("vehicles/<int:pk>/sticker.pdf", citizen.StickerPdfView.as_view(), name="sticker_pdf"),
    path("vehicles/<int:pk>/licence.pdf", citizen.BlueBookPdfView.as_view(), name="bluebook_pdf"),
]
