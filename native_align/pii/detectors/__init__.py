"""One module per kind; each exposes ``find(text, ...)`` over the digit-folded text (see ``pii/text.py``).

Numeric kinds (phone, credit card, national id) share one tokenizer (``numeric.py``) that proposes digit windows
and asks each kind's validator in priority order. Imports nothing so that detectors load only when used.
"""
