"""Secrets at rest across a key rotation: written under one SECRET_KEY, re-encrypted by
`flask hosts rotate-secrets` once the old key is listed, then readable with the new key alone."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from docklab import crypto
from docklab.extensions import db
from docklab.hosts import services
from docklab.hosts.models import LearnerHost, LearnerSSHKey
from tests.support.certs import make_tls_set
from tests.support.webapp import create_user, make_app


def _secrets(app) -> list[bytes]:
    with app.app_context():
        host = db.session.scalar(select(LearnerHost))
        key = db.session.scalar(select(LearnerSSHKey))
        return [bytes(host.tls_key_enc), bytes(host.tls_cert_enc), bytes(key.private_key_enc)]


def test_rotate_secrets_moves_every_secret_to_the_new_key(database_url, tmp_path):
    pem = make_tls_set(tmp_path / "tls")["pem"]
    old_app = make_app(database_url, SECRET_KEY="old-secret", DOCKLAB_ALLOWED_HOSTS="10.0.0.0/8")
    user_id = create_user(old_app, "rotor")
    with old_app.app_context():
        services.register_tls(user_id, "vm", "tcp://10.0.0.5:2376", pem["ca"], pem["cert"],
                              pem["key"])
        services.ssh_key_for(user_id)
    before = _secrets(old_app)

    new_only = make_app(database_url, SECRET_KEY="new-secret")
    with new_only.app_context():
        host = db.session.scalar(select(LearnerHost))
        with pytest.raises(crypto.SecretUnreadable):
            crypto.decrypt(host.tls_key_enc)  # the new key alone cannot open them yet
    refused = new_only.test_cli_runner().invoke(args=["hosts", "rotate-secrets"])
    assert refused.exit_code != 0 and "DOCKLAB_OLD_SECRET_KEYS" in refused.output
    assert _secrets(new_only) == before  # nothing changed

    rotating = make_app(database_url, SECRET_KEY="new-secret",
                        DOCKLAB_OLD_SECRET_KEYS="old-secret")
    done = rotating.test_cli_runner().invoke(args=["hosts", "rotate-secrets"])
    assert done.exit_code == 0 and "re-encrypted 3 secret(s)" in done.output
    after = _secrets(rotating)
    assert all(a != b for a, b in zip(after, before, strict=True))
    with new_only.app_context():
        host = db.session.scalar(select(LearnerHost))
        assert crypto.decrypt(host.tls_key_enc) == pem["key"]
        assert crypto.decrypt(host.tls_cert_enc) == pem["cert"]
    for app in (old_app, new_only, rotating):
        with app.app_context():
            db.engine.dispose()


def test_a_class_policy_opens_networks_for_its_learners_only(app):
    from docklab.classes import services as classes
    from docklab.hosts.policy import HostRefused
    from docklab.models import User

    teacher = create_user(app, "teach", role="instructor")
    member, outsider = create_user(app, "member"), create_user(app, "outsider")
    with app.app_context():
        classroom = classes.create_class(db.session.get(User, teacher), "A반")
        classes.join(classroom, db.session.get(User, member))
        classes.set_policy(classroom, ["192.168.56.0/24"], [])
        assert services.policy_for(member).check("tcp://192.168.56.10:2376").ip == "192.168.56.10"
        with pytest.raises(HostRefused) as refused:
            services.policy_for(outsider).check("tcp://192.168.56.10:2376")
        assert refused.value.code == "not_allowed"
