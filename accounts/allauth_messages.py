"""allauth's own words that can reach our pages: labels and errors of its forms and the
adapter's messages that our AccountAdapter does not replace (sign-in by mobile number).

allauth ships no Bengali. These msgids are listed here so that `makemessages` keeps them
in locale/bn, which Django reads before allauth's own catalogues (LOCALE_PATHS first):
they then appear in Bengali wherever allauth shows them. Nothing imports this list; the
Bengali-pages test checks that each has a Bengali translation.
"""

from django.utils.translation import gettext_noop

MESSAGES = [
    # allauth.account.forms
    gettext_noop("Remember Me"),
    gettext_noop("Phone"),
    gettext_noop("Password"),
    gettext_noop("Code"),
    gettext_noop("Forgot your password?"),
    # allauth.account.adapter.DefaultAccountAdapter.error_messages
    gettext_noop("The phone number and/or password you specified are not correct."),
    gettext_noop("The phone number is not assigned to any user account."),
    gettext_noop("A user is already registered with this phone number."),
    gettext_noop("This account is currently inactive."),
    gettext_noop("Incorrect code."),
    gettext_noop("Incorrect password."),
    gettext_noop("Invalid login."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("Please select only one."),
    gettext_noop("The new value must be different from the current one."),
    # allauth.account.fields (the phone field we replace with BDMobileField)
    gettext_noop("Enter a phone number including country code (e.g. +1 for the US)."),
]
