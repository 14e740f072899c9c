#!/usr/bin/env bash
# The local image registry the sandboxes pull through, for `make run`: installs Debian's
# docker-registry, debootstrap and busybox-static when missing (as root with apt), starts the registry
# (DOCKLAB_REGISTRY_ADDR, default 127.0.0.1:5055) and pushes the lab images when they are missing
# or out of date (`flask --app app labs prepare-images`; about two minutes the first time, a second
# or two after). Never fatal: the app also runs without it.
set -u
bin=.venv/bin
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  command -v docker-registry >/dev/null || need+=(docker-registry)
  command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
  [ -x /bin/busybox ] || need+=(busybox-static)
  if [ ${#need[@]} -gt 0 ]; then
    echo "registry: installing ${need[*]} (Debian packages)..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } \
      >/dev/null || echo "registry: could not install ${need[*]}"
  fi
fi
if ! command -v docker-registry >/dev/null; then
  echo "registry: docker-registry is not installed (Debian: apt-get install docker-registry); sandboxes will have no local images."
  exit 0
fi
"$bin/flask" --app app sandboxes registry start || exit 0
"$bin/flask" --app app labs prepare-images \
  || echo "registry: images not prepared (see above); run 'flask --app app labs prepare-images' later."
exit 0
