"""Issue 12, finding 5 and the low ones about hosts: an oversized RSA key is refused before its
primes are checked, registrations are rate-limited and capped per learner, and an IPv6 zone id
cannot slip a server's own address past the allow-list."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from docklab.hosts import policy as policy_module
from docklab.hosts.policy import HostPolicy, HostRefused
from tests.support.certs import make_tls_set
from tests.support.webapp import bearer, create_user

BIG_KEY = (Path(__file__).resolve().parents[2] / "data" / "rsa-8192-test-key.pem").read_text()


@pytest.fixture
def tls_pem(tmp_path):
    pem = make_tls_set(tmp_path / "certs")["pem"]
    return {name: data.decode() for name, data in pem.items()}


def register(client, headers, pem, key=None, url="tcp://127.0.0.1:2376"):
    return client.post("/api/v1/hosts", headers=headers, json={
        "url": url, "name": url, "tls_ca": pem["ca"], "tls_cert": pem["cert"],
        "tls_key": key or pem["key"]})


def test_an_oversized_rsa_key_is_refused_before_its_primes_are_checked(app, client, tls_pem):
    app.config["DOCKLAB_ALLOWED_HOSTS"] = "127.0.0.1/32"
    headers = bearer(app, create_user(app, "keymaker"))
    started = time.monotonic()
    refused = register(client, headers, tls_pem, key=BIG_KEY)
    took = time.monotonic() - started
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"] == "key_type" and "4096" in body["message_en"]
    assert took < 0.5, took  # validating this 8192-bit key costs ~5 s of CPU
    assert register(client, headers, tls_pem).status_code == 201  # an ordinary key is fine


def test_host_registrations_are_capped_and_rate_limited(app, client, tls_pem):
    app.config.update(DOCKLAB_ALLOWED_HOSTS="127.0.0.1/32", DOCKLAB_MAX_HOSTS=3,
                      DOCKLAB_HOST_REGISTER_LIMIT=5)
    headers = bearer(app, create_user(app, "hoarder"))
    made = [register(client, headers, tls_pem, url=f"tcp://127.0.0.1:{2376 + i}")
            for i in range(4)]
    assert [r.status_code for r in made] == [201, 201, 201, 422]
    assert made[-1].get_json()["error"] == "too_many_hosts"
    for host in made[:3]:
        assert client.delete(f"/api/v1/hosts/{host.get_json()['id']}",
                             headers=headers).status_code == 204
    again = [register(client, headers, tls_pem, url=f"tcp://127.0.0.1:{2400 + i}")
             for i in range(2)]
    assert again[0].status_code == 201  # the fifth try in the window
    assert again[1].status_code == 422 and again[1].get_json()["error"] == "rate_limited"
    other = bearer(app, create_user(app, "neighbour"))
    assert register(client, other, tls_pem).status_code == 201  # per learner


@pytest.mark.parametrize("url", ["tcp://[fd00::2%25eth0]:2376", "tcp://[fd00::2%eth0]:2376",
                                 "ssh://u@[fd00::2%25eth0]:22"])
def test_an_ipv6_zone_id_cannot_hide_the_servers_own_address(monkeypatch, url):
    own = {policy_module.ipaddress.ip_address("fd00::2")}
    monkeypatch.setattr(policy_module, "own_addresses", lambda: own)
    policy = HostPolicy.from_entries(["fd00::/64"])
    with pytest.raises(HostRefused) as plain:
        policy.check("tcp://[fd00::2]:2376")
    assert plain.value.code == "own_address"
    with pytest.raises(HostRefused) as scoped:
        policy.check(url)
    assert scoped.value.code == "bad_url"
    assert policy.check("tcp://[fd00::7]:2376").ip == "fd00::7"  # the class network still works
