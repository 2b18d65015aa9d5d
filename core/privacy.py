"""What strangers may see of a person: masked names and mobile numbers."""

from __future__ import annotations

import unicodedata


def mask_name(name: str) -> str:
    """First letter of each word, the rest as asterisks: "Rahim Uddin" -> "R**** U****".

    Combining signs stay with the first letter (Bengali "কি" is one letter to a reader) and
    are not counted as hidden letters."""
    words = []
    for word in name.split():
        head, rest = word[0], word[1:]
        while rest and unicodedata.category(rest[0]).startswith("M"):
            head, rest = head + rest[0], rest[1:]
        hidden = sum(1 for ch in rest if not unicodedata.category(ch).startswith("M"))
        words.append(head + "*" * hidden)
    return " ".join(words)


def mask_mobile(mobile: str) -> str:
    """The first three and last three digits: "01712345678" -> "017•••••678"."""
    return mobile[:3] + "•" * max(len(mobile) - 6, 0) + mobile[-3:]
