"""Tests for the form fields that accept Bengali digits and identity numbers."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from core.formfields import BDMobileField, LocalizedDecimalField, LocalizedIntegerField, NIDField


class ApplicantForm(forms.Form):
    mobile = BDMobileField(label="Mobile")
    nid = NIDField(label="NID", required=False)
    members = LocalizedIntegerField(label="Members", required=False, min_value=0)
    amount = LocalizedDecimalField(
        label="Amount", required=False, max_digits=12, decimal_places=2, min_value=Decimal("0")
    )


def test_clean_canonical_values():
    form = ApplicantForm(
        data={
            "mobile": "+880 1712-345678",
            "nid": "১২৩ ৪৫৬ ৭৮৯০",
            "members": "১,২৫০",
            "amount": "১২,৫০,০০০.৫০",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "mobile": "01712345678",
        "nid": "1234567890",
        "members": 1250,
        "amount": Decimal("1250000.50"),
    }


def test_bengali_mobile_digits():
    form = ApplicantForm(data={"mobile": "০১৭১২৩৪৫৬৭৮"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["mobile"] == "01712345678"
    assert form.cleaned_data["nid"] == ""
    assert form.cleaned_data["members"] is None
    assert form.cleaned_data["amount"] is None


def test_invalid_values_give_clear_errors():
    form = ApplicantForm(
        data={"mobile": "01212345678", "nid": "12345", "members": "১২x", "amount": "1.234"}
    )
    assert not form.is_valid()
    errors = form.errors.as_data()
    assert errors["mobile"][0].code == "invalid_mobile"
    assert form.errors["mobile"] == [
        "Enter an 11-digit Bangladeshi mobile number such as 01712345678."
    ]
    assert errors["nid"][0].code == "invalid_nid"
    assert errors["members"][0].code == "invalid"
    assert errors["amount"][0].code == "max_decimal_places"


def test_required_and_min_value_still_apply():
    form = ApplicantForm(data={"mobile": "", "members": "-১"})
    assert not form.is_valid()
    assert form.errors.as_data()["mobile"][0].code == "required"
    assert form.errors.as_data()["members"][0].code == "min_value"


def test_required_nid():
    field = NIDField()
    assert field.clean("1234567890123") == "1234567890123"
    with pytest.raises(forms.ValidationError) as excinfo:
        field.clean("")
    assert [e.code for e in excinfo.value.error_list] == ["required"]


def test_custom_error_message():
    field = BDMobileField(error_messages={"invalid_mobile": "Wrong number."})
    with pytest.raises(forms.ValidationError) as excinfo:
        field.clean("123")
    assert excinfo.value.messages == ["Wrong number."]


def test_widgets():
    with translation.override("en"):
        form = ApplicantForm()
        mobile = str(form["mobile"])
        nid = str(form["nid"])
        members = str(form["members"])
        amount = str(form["amount"])
    assert 'type="tel"' in mobile
    assert 'inputmode="tel"' in mobile
    assert 'autocomplete="tel"' in mobile
    assert 'type="text"' in nid and 'inputmode="numeric"' in nid
    assert 'type="text"' in members and 'inputmode="numeric"' in members
    assert 'type="number"' not in members
    assert 'type="text"' in amount and 'inputmode="decimal"' in amount


def test_widget_attrs_can_be_overridden():
    field = BDMobileField(widget=BDMobileField.widget(attrs={"autocomplete": "off"}))
    assert field.widget.attrs["autocomplete"] == "off"
    assert field.widget.attrs["inputmode"] == "tel"


def test_initial_numbers_shown_in_bengali_digits_in_bengali():
    form = ApplicantForm(initial={"members": 1250, "amount": Decimal("99.50")})
    with translation.override("bn"):
        assert 'value="১২৫০"' in str(form["members"])
        assert 'value="৯৯.৫০"' in str(form["amount"])
    with translation.override("en"):
        assert 'value="1250"' in str(form["members"])
        assert 'value="99.50"' in str(form["amount"])
