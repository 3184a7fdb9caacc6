"""Salesforce record ids: 15-character case-sensitive ids and their 18-character form."""

from __future__ import annotations

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

# Key prefixes of the objects the sandbox serves (the custom object gets an a0X prefix).
KEY_PREFIX = {
    "Account": "001",
    "Contract": "800",
    "Opportunity": "006",
    "OpportunityLineItem": "00k",
    "Contract_Rate__c": "a0R",
}
OBJECT_BY_PREFIX = {prefix: obj for obj, prefix in KEY_PREFIX.items()}


def salesforce_id(sobject: str, number: int, pod: str = "5g") -> str:
    """The 18-character id of the `number`-th record of `sobject` (deterministic)."""
    body = ""
    n = number
    for _ in range(10):
        body = _BASE62[n % 62] + body
        n //= 62
    return to_18(KEY_PREFIX[sobject] + pod + body)


def to_18(id15: str) -> str:
    """Appends Salesforce's case-safety checksum: for each 5-character chunk, a bit per
    upper-case letter, read right to left, indexes into A-Z0-5."""
    if len(id15) != 15:
        raise ValueError(f"a 15-character id is expected, got {id15!r}")
    suffix = ""
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += _SUFFIX[bits]
    return id15 + suffix


def is_valid_id(value: str) -> bool:
    if len(value) == 18:
        return to_18(value[:15]) == value
    return len(value) == 15 and all(c in _BASE62 for c in value)
