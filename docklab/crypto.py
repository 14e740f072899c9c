"""Secrets at rest (learners' TLS client keys and certificates, SSH private keys).

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived by HKDF from the app's SECRET_KEY, so there is
no second secret to manage. Rotation: put the new key in DOCKLAB_SECRET_KEY, the old one(s) in
DOCKLAB_OLD_SECRET_KEYS (comma separated), run `flask --app app hosts rotate-secrets`, then drop
the old keys (docs/secrets.md).
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import settings
from .errors import DocklabError
from .i18n import N_

# Changing these makes every stored secret unreadable: they are part of the format.
HKDF_SALT = b"docklab secrets at rest v1"
HKDF_INFO = b"fernet"


class SecretUnreadable(DocklabError):
    """A stored secret that none of the configured keys opens (the secret key changed without
    the old one being listed in DOCKLAB_OLD_SECRET_KEYS). The stored secrets are learners' host
    keys, so the learner's sentence says what to do about those."""

    status = 500
    code = "secret_unreadable"
    MESSAGES = {"secret_unreadable": N_("The stored host keys cannot be decrypted (the server's "
                                        "secret key changed). Register the host again.")}
    # What an operator reads (the rotation command).
    EXPLANATION = "a stored secret cannot be decrypted with the configured keys"


def derive_fernet(secret_key: str | bytes) -> Fernet:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO)
    key = kdf.derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def secret_box(config=None) -> MultiFernet:
    """Encrypts with the current key; decrypts with the current key or any old one
    (DOCKLAB_OLD_SECRET_KEYS). `config`: a mapping with SECRET_KEY, else the current app's."""
    site = settings.current() if config is None else settings.from_config(config)
    if not site.secret_key:
        raise ValueError("no SECRET_KEY to encrypt or decrypt with")
    keys = [site.secret_key, *site.old_secret_keys]
    return MultiFernet([derive_fernet(key) for key in keys])


def encrypt(data: bytes | str | None, config=None) -> bytes | None:
    if data is None:
        return None
    raw = data.encode() if isinstance(data, str) else data
    return secret_box(config).encrypt(raw)


def decrypt(token: bytes | None, config=None) -> bytes | None:
    if token is None:
        return None
    try:
        return secret_box(config).decrypt(bytes(token))
    except InvalidToken as exc:
        raise SecretUnreadable() from exc


def rotate(token: bytes, config=None) -> bytes:
    """Re-encrypt a stored secret under the current key (it may have been made with an old one)."""
    try:
        return secret_box(config).rotate(bytes(token))
    except InvalidToken as exc:
        raise SecretUnreadable() from exc
