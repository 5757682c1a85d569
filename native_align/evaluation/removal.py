"""Did a rewrite remove what the noise model injected? One rule per kind of injection, on plain strings.

- Inserted noise (ads, contacts, boilerplate, insults) is *left* when its exact text is still in the output, when
  any contact value it carried (phone, e-mail, URL, handle; digits compared in one script) is, or when at least half
  of its words that the clean target does not contain are. A worker that deletes the phone number but keeps "call
  us on" has not removed the ad.
- A repeated sentence is left when the output holds it more often than the target does.
- Formatting damage is left when the damaged token is still in the output verbatim (the repair is the clean form).
"""

from __future__ import annotations

import re
from typing import Mapping

from native_align.text.normalize import normalize_for_matching, words

DELETION_FAMILIES = ("ads", "contacts", "boilerplate", "insults")
_DIGITS = str.maketrans({**{chr(0x0660 + d): str(d) for d in range(10)},
                         **{chr(0x06F0 + d): str(d) for d in range(10)}})
_CONTACT = re.compile(r"[@/]|\d{3}|\.[a-z]{2,}", re.IGNORECASE)


def _flat(text: str) -> str:
    """Digits in one script, a phone number's separators and leading + dropped: '+٩٧٣ ٣١٦٠' -> '9733160'."""
    return re.sub(r"[\s\-().+]", "", text.translate(_DIGITS))


def _word_set(text: str) -> set[str]:
    return set(words(normalize_for_matching(text)))


def left_in(injection: Mapping, output: str, target: str) -> bool:
    """True when the injection survived in ``output`` (``target`` is the clean chunk it was injected into)."""
    text = injection["text"]
    family = injection["family"]
    if family == "repeats":
        return output.count(text.strip()) > target.count(text.strip())
    if family == "formatting":
        return text in output
    if text in output:
        return True
    flat_out = _flat(output)
    if any(_CONTACT.search(v) and _flat(v) in flat_out for v in injection.get("values") or ()):
        return True
    novel = _word_set(text) - _word_set(target)
    if not novel:
        return False
    return len(novel & _word_set(output)) * 2 >= len(novel)
