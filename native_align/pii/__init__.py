"""Detection and redaction of personal data (emails, phones, IPs, IBANs, cards, national ids) in Arabic web text.

Entry points: ``native_align.pii.redact`` (``redact``, ``redact_batch``), ``native_align.pii.arrow`` (Arrow batches
for ``mapInArrow``), ``native_align.pii.config`` (``PiiConfig``). This module imports nothing on purpose.
"""
