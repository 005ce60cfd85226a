"""What a customer identifier may look like, and the form in which identifiers are compared.

The CRM refuses to link a malformed identifier and the gateway refuses it before asking,
with the same rules, here: an e-mail address has one `@` between a local part and a
dotted domain; a loyalty card is a GTIN-13 in the GS1 in-store range (prefix 2, check
digit right); a phone number is 6 to 15 digits, optionally after a `+`, spaces allowed;
social and external ids are free text. None may be empty or longer than
`MAX_IDENTIFIER_LENGTH`.

E-mail addresses compare case-insensitively and phone numbers without their spaces
(`normalise_identifier`), which is also the form in which a new link is stored.
"""

from __future__ import annotations

import re

from kernel.gtin import is_valid_gtin

#: The identifier types a customer may have linked.
IDENTIFIER_TYPES = ("EMAIL", "LOYALTY_CARD", "PHONE", "SOCIAL", "EXTERNAL")

#: The longest identifier value the CRM stores.
MAX_IDENTIFIER_LENGTH = 128

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")


def normalise_identifier(type_: str, value: str) -> str:
    """The form in which identifiers are compared: e-mail case-insensitively, phone without spaces."""
    if type_ == "EMAIL":
        return value.lower()
    if type_ == "PHONE":
        return value.replace(" ", "")
    return value


def identifier_problem(type_: str, value: str) -> str | None:
    """Why `value` cannot be an identifier of `type_`, or None when it can."""
    if type_ not in IDENTIFIER_TYPES:
        return f"the identifier type must be one of {', '.join(IDENTIFIER_TYPES)}, got {type_!r}"
    if not value or value != value.strip():
        return "the identifier must not be empty nor start or end with spaces"
    if len(value) > MAX_IDENTIFIER_LENGTH:
        return f"the identifier must have at most {MAX_IDENTIFIER_LENGTH} characters"
    if type_ == "EMAIL" and not _EMAIL.match(value):
        return f"{value!r} is not an e-mail address"
    if type_ == "LOYALTY_CARD" and not (
        len(value) == 13 and value.startswith("2") and is_valid_gtin(value)
    ):
        return f"{value!r} is not a loyalty card number (13 digits from 2, check digit right)"
    if type_ == "PHONE" and not _PHONE.match(value.replace(" ", "")):
        return f"{value!r} is not a phone number (6 to 15 digits, optionally after a +)"
    return None
