"""Settings of PII redaction (``pii.*``). Defaults redact every kind; see docs/pii.md for the rules and measures."""

from __future__ import annotations

from pydantic import Field

from native_align.config import Section
from native_align.pii.kinds import Action


class PiiPolicy(Section):
    """Per kind: ``redact`` (placeholder), ``drop`` (flag the document; span also replaced) or ``keep`` (count only)."""

    # Addresses identify a person directly and carry no meaning for pre-training.
    email: Action = "redact"
    # Phone numbers identify a person; the placeholder keeps the sentence readable ("اتصل على <PHONE>").
    phone: Action = "redact"
    # Client addresses are personal data under GDPR/PDPL; the corpus needs none.
    ip: Action = "redact"
    # Bank accounts: financial data.
    iban: Action = "redact"
    # Card numbers: financial data; a real one in web text is a leak.
    credit_card: Action = "redact"
    # Saudi/Egyptian/UAE ids: the most sensitive kind; "drop" is a sane stricter choice for public releases.
    national_id: Action = "redact"


class PiiPlaceholders(Section):
    """Typed placeholders: the model still sees that a number or address stood there, and of which kind."""

    email: str = "<EMAIL>"
    phone: str = "<PHONE>"
    ip: str = "<IP>"
    iban: str = "<IBAN>"
    credit_card: str = "<CREDIT_CARD>"
    national_id: str = "<NATIONAL_ID>"


class PiiConfig(Section):
    # Off: texts pass through untouched and uncounted.
    enabled: bool = True
    policy: PiiPolicy = Field(default_factory=PiiPolicy)
    placeholders: PiiPlaceholders = Field(default_factory=PiiPlaceholders)
    # Characters before a number searched for keywords (هاتف/جوال..., هوية/إقامة..., رقم القرار/بقيمة...): about
    # 6 Arabic words, enough for "رقم الجوال الخاص به:" and short enough not to borrow the previous sentence's.
    context_window: int = Field(40, ge=0, le=200)
    # True: Saudi/Egyptian/UAE ids need an id keyword before them. Off by default: the checksum/structure already
    # keeps news false positives ~0 (docs/pii.md) and lists of ids (admission lists) rarely repeat the keyword.
    national_id_requires_context: bool = False
    # "+" followed by 8-15 digits with a country code outside our table still counts as a phone (E.164).
    phone_generic_international: bool = True
    # Organisation hotlines (800, 9200, 600) are published on purpose and are not personal data: left in place.
    keep_service_numbers: bool = True
    # Rows per Arrow batch when a Spark stage calls ``pii.arrow.redact_arrow`` through mapInArrow.
    batch_size: int = Field(10_000, ge=1)
