"""The one mechanism for errors a person can act on (core/templatetags/form_errors.py):
"Error: " before the page title when a validated form on the page has errors (or the
view says so), and the error summary linked to each field."""

from __future__ import annotations

from django import forms
from django.template import Context, Template
from django.utils import translation


class PersonForm(forms.Form):
    name = forms.CharField(label="Your name")
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") == "x":
            raise forms.ValidationError("Not x.")
        return data


def render(text: str, **context) -> str:
    return Template("{% load form_errors %}" + text).render(Context(context))


def test_the_title_prefix_only_when_a_validated_form_has_errors():
    prefix = "{% error_title_prefix %}"
    with translation.override("en"):
        assert render(prefix, form=PersonForm()) == ""
        unvalidated = PersonForm({})
        assert render(prefix, form=unvalidated) == ""
        assert unvalidated._errors is None  # not validated by the tag
        invalid = PersonForm({})
        invalid.is_valid()
        assert render(prefix, form=invalid) == "Error: "
        assert render(prefix, other_name=invalid) == "Error: "
        valid = PersonForm({"name": "Rahim", "kind": "a"})
        valid.is_valid()
        assert render(prefix, form=valid) == ""
        assert render(prefix, page_has_errors=True) == "Error: "
    with translation.override("bn"):
        assert render(prefix, page_has_errors=True) == "ত্রুটি: "


def test_the_summary_links_each_error_to_its_field():
    form = PersonForm({"name": "x", "kind": "z"})
    form.is_valid()
    with translation.override("en"):
        html = render("{% error_summary form %}", form=form)
    assert "data-error-summary" in html and "There is a problem" in html
    assert "<li>Not x.</li>" in html  # a form-wide error, not a link
    assert 'href="#id_kind_0">Kind: Select a valid choice.' in html  # a radio group
    assert render("{% error_summary form %}", form=PersonForm()).strip() == ""
    assert render("{% error_summary form %}", form=None).strip() == ""
