#!/usr/bin/env bash
# System packages the tests drive for real: Chromium (browser tests), the Docker engine and busybox
# (the engine fixture also installs these itself when missing), sshd (SSH learner hosts),
# debootstrap (the base image the app's own Dockerfile and the lab images are built on),
# docker-registry (the local registry sandboxes pull through).
set -eu
need=()
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
command -v docker-registry >/dev/null || need+=(docker-registry)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test-deps: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "test-deps: missing ${need[*]}; install them (Debian/Ubuntu: apt-get install ${need[*]})" >&2
  exit 1
fi
