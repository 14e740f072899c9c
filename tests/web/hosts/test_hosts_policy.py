"""The SSRF guard and secrets at rest, without a web request."""
from __future__ import annotations

import pytest

from docklab import crypto
from docklab.hosts.policy import HostPolicy, HostRefused, own_addresses, parse_entry


def refused(policy: HostPolicy, url: str, **kwargs) -> str:
    with pytest.raises(HostRefused) as caught:
        policy.check(url, **kwargs)
    return caught.value.code


def test_empty_policy_allows_nothing():
    policy = HostPolicy()
    assert refused(policy, "tcp://203.0.113.5:2376") == "not_allowed"
    assert refused(policy, "ssh://learner@198.51.100.7") == "not_allowed"
    assert refused(policy, "unix:///var/run/docker.sock") == "socket_not_allowed"


@pytest.mark.parametrize(("url", "code"), [
    ("tcp://127.0.0.1:2376", "loopback"),
    ("tcp://127.9.9.9:2376", "loopback"),
    ("tcp://[::1]:2376", "loopback"),
    ("tcp://[::ffff:127.0.0.1]:2376", "loopback"),
    ("ssh://learner@localhost:22", "loopback"),  # a name is resolved, then checked
    ("tcp://169.254.169.254:80", "link_local"),  # the cloud metadata service
    ("tcp://[fe80::1]:2376", "link_local"),
    ("tcp://0.0.0.0:2376", "special"),
    ("tcp://224.0.0.1:2376", "special"),
])
def test_special_addresses_are_refused_even_under_allow_all(url, code):
    policy = HostPolicy.from_entries(["0.0.0.0/0", "::/0", "localhost"])
    assert refused(policy, url) == code


def test_the_servers_own_addresses_are_refused():
    mine = sorted(str(a) for a in own_addresses() if a.version == 4 and not a.is_loopback)
    if not mine:
        pytest.skip("this machine has no non-loopback IPv4 address")
    policy = HostPolicy.from_entries(["0.0.0.0/0"])
    assert refused(policy, f"tcp://{mine[0]}:2376") == "own_address"
    opened = HostPolicy.from_entries([f"{mine[0]}/32"])
    assert opened.check(f"tcp://{mine[0]}:2376").ip == mine[0]


@pytest.mark.parametrize(("url", "code"), [
    ("http://203.0.113.5:2376", "scheme"),
    ("203.0.113.5:2376", "scheme"),
    ("", "scheme"),
    ("tcp://203.0.113.5", "bad_url"),  # no port
    ("tcp://203.0.113.5:99999", "bad_url"),
    ("tcp://203.0.113.5:2376/path", "bad_url"),
    ("tcp://user:pw@203.0.113.5:2376", "bad_url"),
    ("ssh://203.0.113.5:22", "bad_url"),  # no user
    ("tcp://203.0.113.5:2376?x=1", "bad_url"),
    ("unix://relative/path", "bad_url"),
    ("tcp://no-such-host.invalid:2376", "unresolvable"),
])
def test_bad_urls_are_refused_with_the_reason(url, code):
    policy = HostPolicy.from_entries(["0.0.0.0/0", "*.invalid"])
    assert refused(policy, url) == code


def test_networks_names_and_sockets_open_exactly_what_they_name():
    policy = HostPolicy.from_entries(["10.0.0.0/8", "127.0.0.1/32", "*.school.example",
                                      "unix:///run/learner.sock"],
                                     resolver=lambda host, port: ["192.0.2.10"])
    assert policy.check("tcp://10.1.2.3:2376").ip == "10.1.2.3"
    assert refused(policy, "tcp://11.1.2.3:2376") == "not_allowed"
    assert policy.check("ssh://me@127.0.0.1:2222").ip == "127.0.0.1"
    assert refused(policy, "ssh://me@127.0.0.2:2222") == "loopback"
    assert policy.check("ssh://me@lab1.school.example").ip == "192.0.2.10"
    assert refused(policy, "ssh://me@school.example") == "not_allowed"
    assert refused(policy, "ssh://me@evilschool.example") == "not_allowed"
    assert policy.check("unix:///run/learner.sock").scheme == "unix"
    assert refused(policy, "unix:///var/run/docker.sock") == "socket_not_allowed"


def test_a_name_is_checked_on_every_address_and_again_at_each_check():
    answers = {"now": ["192.0.2.10"]}
    policy = HostPolicy.from_entries(["*.school.example"],
                                     resolver=lambda host, port: answers["now"])
    assert policy.check("tcp://lab.school.example:2376").ip == "192.0.2.10"
    answers["now"] = ["192.0.2.10", "127.0.0.1"]  # re-pointed (DNS rebinding)
    assert refused(policy, "tcp://lab.school.example:2376") == "loopback"
    answers["now"] = ["169.254.169.254"]
    assert refused(policy, "tcp://lab.school.example:2376") == "link_local"


def test_plain_tcp_needs_the_server_setting():
    assert refused(HostPolicy.from_entries(["10.0.0.0/8"]), "tcp://10.0.0.1:2375",
                   tls=False) == "plain_tcp"
    target = HostPolicy.from_entries(["10.0.0.0/8"], allow_plain_tcp=True).check(
        "tcp://10.0.0.1:2375", tls=False)
    assert target.ip_url == "tcp://10.0.0.1:2375"


def test_a_class_policy_adds_to_the_site_policy():
    site = HostPolicy.from_entries(["10.0.0.0/8"])
    with_class = site.union(["192.168.56.0/24", "lab.school.example"])
    assert refused(site, "tcp://192.168.56.10:2376") == "not_allowed"
    assert with_class.check("tcp://192.168.56.10:2376").ip == "192.168.56.10"
    assert with_class.check("tcp://10.0.0.1:2376").ip == "10.0.0.1"


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "not a host!", "unix://relative", "-bad-.x"])
def test_bad_allow_list_entries_name_themselves(entry):
    with pytest.raises(ValueError, match="not a network|unix:///absolute|33"):
        parse_entry(entry)


def test_refusals_read_in_both_languages():
    problem = HostRefused("loopback", "127.0.0.1")
    assert "루프백" in problem.message("ko") and "Loopback" in problem.message("en")
    assert "127.0.0.1" in problem.message("en")


def test_secrets_round_trip_and_rotate_between_keys():
    old = {"SECRET_KEY": "old-key"}
    token = crypto.encrypt(b"-----BEGIN PRIVATE KEY-----\nabc\n", old)
    assert b"BEGIN PRIVATE KEY" not in token
    assert crypto.decrypt(token, old) == b"-----BEGIN PRIVATE KEY-----\nabc\n"
    new_only = {"SECRET_KEY": "new-key"}
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token, new_only)
    rotating = {"SECRET_KEY": "new-key", "DOCKLAB_OLD_SECRET_KEYS": "old-key"}
    assert crypto.decrypt(token, rotating).endswith(b"abc\n")
    rotated = crypto.rotate(token, rotating)
    assert crypto.decrypt(rotated, new_only).endswith(b"abc\n")
