"""The one way the portal sends email: Django's ``send_mail`` with a subject made safe.

Subjects carry text people typed (a proposal's or an event's title). A line break in a
header makes Django raise ``BadHeaderError`` (its guard against header injection), which
would fail the task that sends the email. Every module imports ``send_mail`` from here,
not from ``django.core.mail`` (``tests/security/test_email_headers.py`` checks).
"""

from __future__ import annotations

from django.core import mail
from django.utils.text import Truncator

SUBJECT_MAX_CHARS = 150


def subject_line(text: str) -> str:
    """``text`` as one line: every run of whitespace, line breaks included (also the
    Unicode ones), becomes one space; shortened to ``SUBJECT_MAX_CHARS`` with an ellipsis."""
    one_line = " ".join(str(text).split())
    return Truncator(one_line).chars(SUBJECT_MAX_CHARS)


def send_mail(subject: str, message: str, from_email, recipient_list, **kwargs) -> int:
    """``django.core.mail.send_mail`` with ``subject`` made one safe line."""
    return mail.send_mail(subject_line(subject), message, from_email, recipient_list, **kwargs)
