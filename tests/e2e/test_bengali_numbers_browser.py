"""On a Bengali page a numbered list counts ১. ২. ৩. (the stylesheet's list style), as the
page's text does; on an English page 1. 2. 3."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_LIST = """() => {
  const ol = document.createElement('ol');
  ol.innerHTML = '<li>এক</li><li>দুই</li>';
  document.querySelector('main').append(ol);
  return getComputedStyle(ol).listStyleType;
}"""


def test_numbered_lists_count_in_the_pages_digits(page, live_server):
    page.goto("/")
    assert page.evaluate(NEW_LIST) == "bengali"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.evaluate(NEW_LIST) == "decimal"
