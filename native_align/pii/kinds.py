"""The kinds of personal data we detect, the actions a policy may take, and the default placeholders."""

from __future__ import annotations

from typing import Literal

Action = Literal["redact", "drop", "keep"]

# Also the order in which overlapping detections are resolved: an earlier kind wins (an email holding digits is an
# email, an IBAN holding a card-like run is an IBAN, a national id is checked before a card, a phone last).
KINDS: tuple[str, ...] = ("email", "iban", "ip", "national_id", "credit_card", "phone")
ACTIONS: tuple[str, ...] = ("redact", "drop", "keep")

DEFAULT_PLACEHOLDERS: dict[str, str] = {
    "email": "<EMAIL>",
    "phone": "<PHONE>",
    "ip": "<IP>",
    "iban": "<IBAN>",
    "credit_card": "<CREDIT_CARD>",
    "national_id": "<NATIONAL_ID>",
}
