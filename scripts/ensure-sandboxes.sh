#!/usr/bin/env bash
# What a learner's sandbox (a rootless Docker engine per learner) needs on this machine: rootlesskit,
# slirp4netns and newuidmap (Debian packages), and the right for rootlesskit to bind ports below
# 1024 so `docker run -p 80:80` works in a sandbox (narrower than lowering the sysctl for all).
# As root on Debian/Ubuntu it installs what is missing; elsewhere it says what is missing. Never
# fatal: without sandboxes, learners use their own hosts and the lab page says so.
set -u
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v rootlesskit >/dev/null || need+=(rootlesskit)
command -v slirp4netns >/dev/null || need+=(slirp4netns)
command -v newuidmap >/dev/null || need+=(uidmap)
command -v setcap >/dev/null || need+=(libcap2-bin)
command -v iptables >/dev/null || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "sandboxes: installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "sandboxes: missing ${need[*]} (Debian/Ubuntu: apt-get install ${need[*]}); sandboxes are off"
    exit 0
  fi
fi
if [ "$(id -u)" = 0 ] && command -v rootlesskit >/dev/null \
   && ! getcap "$(command -v rootlesskit)" 2>/dev/null | grep -q cap_net_bind_service; then
  setcap cap_net_bind_service=ep "$(command -v rootlesskit)" \
    || echo "sandboxes: could not let rootlesskit bind ports below 1024 (learners use ports >= 1024)"
fi
exit 0
