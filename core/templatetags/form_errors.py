"""Errors a person can act on (the GOV.UK pattern): one mechanism for the whole portal.

- `{% error_title_prefix %}` in base.html's <title>: "Error: " ("ত্রুটি: ") when a bound
  form on the page has errors, or when the view says so with `page_has_errors`.
- `{% error_summary form %}` at the top of a long form: "There is a problem", each error
  linked to its field; static/js/portal.js moves the focus to it when the page loads.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseForm, BaseFormSet, CheckboxSelectMultiple, RadioSelect
from django.utils.translation import gettext as _

register = template.Library()


def _has_errors(value: Any) -> bool:
    """A bound form or formset the view has validated, with errors. One not validated
    yet is left alone (asking for its errors would validate it here, queries and all)."""
    if not isinstance(value, BaseForm | BaseFormSet) or not value.is_bound:
        return False
    if getattr(value, "_errors", None) is None:
        return False
    return bool(value.errors if isinstance(value, BaseForm) else value.total_error_count())


def page_has_errors(context: template.Context) -> bool:
    """True when the view flags errors or any bound form in the context has errors."""
    flat = context.flatten()
    if flat.get("page_has_errors"):
        return True
    return any(_has_errors(value) for value in flat.values())


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """The page title's prefix when the page shows errors, else nothing."""
    return _("Error:") + " " if page_has_errors(context) else ""


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form: BaseForm | None) -> dict[str, Any]:
    """The summary of a form's errors: the form-wide ones first, then each field's, in the
    order of the form, each linked to its field (a radio group: to its first choice)."""
    items: list[dict[str, str]] = []
    if isinstance(form, BaseForm) and form.is_bound and form.errors:
        items.extend({"text": str(e), "href": ""} for e in form.non_field_errors())
        for field in form:
            for error in field.errors:
                target = field.id_for_label or field.auto_id or ""
                if isinstance(field.field.widget, RadioSelect | CheckboxSelectMultiple):
                    choices = field.subwidgets
                    target = choices[0].id_for_label if choices else target
                href = f"#{target}" if target and not field.is_hidden else ""
                items.append({"text": str(error), "label": str(field.label or ""), "href": href})
    return {"items": items}
