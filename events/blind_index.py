"""Blind indexes: search by a child's name without storing the name.

An index entry is an HMAC of the normalised text under a key that lives in the
key store (wrapped by the KEK), so the read model holds no name in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from events.storage.keystore import INDEX_KEY_ID, KeyStore


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", " ", text).strip()


def tokens(name: str) -> set[str]:
    """The searchable parts of a name: each word, and the whole name."""
    whole = normalise(name)
    return {whole, *whole.replace("-", " ").split()} - {""}


class BlindIndex:
    def __init__(self, keystore: KeyStore):
        self.keystore = keystore

    def __call__(self, text: str) -> str:
        key = self.keystore.data_key(INDEX_KEY_ID, create=True)
        assert key is not None  # the index key is never shredded
        return hmac.new(key, normalise(text).encode(), hashlib.sha256).hexdigest()[:32]
