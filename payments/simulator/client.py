"""Paying at the simulator from code (tests, benchmarks, `make scale-check`): press a button
on its checkout page and read the signed fields it sends back to the shop — what the
gateway's browser return and notification carry."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import requests

_HIDDEN = re.compile(r"<input[^>]*type=\"hidden\"[^>]*>")
_NAME = re.compile(r'name="([^"]*)"')
_VALUE = re.compile(r'value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (the simulator's signed return form)."""
    fields = {}
    for tag in _HIDDEN.findall(html):
        name, value = _NAME.search(tag), _VALUE.search(tag)
        if name:
            fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return fields


def pay(
    gateway_url: str, action: str = "bkash", *, session: Any = None, **switches: bool
) -> dict[str, str]:
    """Press `action` ("bkash", "fail", …) on a gateway session's checkout page, with the
    simulator's switches (no_ipn=True: it sends no notification of its own); returns the
    signed fields."""
    data = {"action": action, **{k: "1" for k, on in switches.items() if on}}
    response = (session or requests).post(gateway_url, data=data, timeout=30)
    response.raise_for_status()
    return hidden_fields(response.text)
