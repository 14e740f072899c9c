"""`flask --app app hosts rotate-secrets`: re-encrypt every stored secret under the current key."""
from __future__ import annotations

import click
from sqlalchemy import select

from .. import crypto
from ..extensions import db
from . import bp
from .models import LearnerHost, LearnerSSHKey

SECRET_COLUMNS = {LearnerHost: ("tls_cert_enc", "tls_key_enc", "ssh_private_key_enc"),
                  LearnerSSHKey: ("private_key_enc",)}


@bp.cli.command("rotate-secrets")
def rotate_secrets() -> None:
    """Re-encrypt secrets with DOCKLAB_SECRET_KEY (old keys in DOCKLAB_OLD_SECRET_KEYS)."""
    count = 0
    try:
        for model, columns in SECRET_COLUMNS.items():
            for row in db.session.scalars(select(model)):
                for column in columns:
                    value = getattr(row, column)
                    if value is not None:
                        setattr(row, column, crypto.rotate(value))
                        count += 1
    except crypto.SecretUnreadable as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.EXPLANATION}: list the previous key in "
                                   "DOCKLAB_OLD_SECRET_KEYS "
                                   "and run this again; nothing was changed.") from exc
    db.session.commit()
    click.echo(f"re-encrypted {count} secret(s) with the current key")
