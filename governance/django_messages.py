"""Django's own messages that its catalogues leave in English on our pages.

Django ships no Swahili translation of its password rules (the help under the
password field and the refusals), so the Swahili registration page showed them in
English. Declared here, they are picked up by makemessages into locale/, whose
catalogues come before Django's (LOCALE_PATHS); the msgids must stay exactly
Django's (django/contrib/auth/password_validation.py). Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

PASSWORD_RULES = (
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
)
