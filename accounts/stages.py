"""The staff password, asked after the one-time code.

Every sign-in starts the same way: a mobile number, then the code sent to it. Only someone
who has entered that code learns that the account has a password (staff) and is asked for
it here; accounts without a password (citizens) are signed in at once.
"""

from __future__ import annotations

from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response

# Wrong passwords allowed within one sign-in before it starts over with a new code.
MAX_PASSWORD_ATTEMPTS = 5


class StaffPasswordStage(LoginStage):
    key = "staff_password"
    urlname = "accounts:staff_password"

    def handle(self):
        user = self.login.user
        if user is None or not user.has_usable_password():
            return None, True
        records = get_authentication_records(self.request, user)
        methods = {record.get("method") for record in records}
        if "code" not in methods:
            # The code comes first, whatever the door: no password-only sign-in.
            return headed_redirect_response("account_login"), False
        if "password" in methods:
            return None, True
        return headed_redirect_response(self.urlname), True
