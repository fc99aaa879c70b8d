#!/usr/bin/env bash
# Builds the seed's image `flask-app-fargate-fargate:latest` for Wayfinder's docker runtime.
#  - where Docker can pull a Python base image: `docker build` with the Dockerfile beside this script;
#  - where nothing can be pulled (offline or sandboxed machines): a Debian rootfs with python3-flask
#    made by debootstrap from Debian's package mirror, imported with `docker import` (about 3 minutes).
# Usage: examples/seed-walkthrough/build-image.sh [--offline]     (FORCE=1 rebuilds an existing image)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
IMAGE=${IMAGE:-flask-app-fargate-fargate:latest}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE already present (FORCE=1 rebuilds)"
  exit 0
fi
if [ "${1:-}" != "--offline" ] && docker build -q -t "$IMAGE" "$here" >/dev/null 2>&1; then
  echo "built $IMAGE with docker build"
  exit 0
fi

echo "building $IMAGE from Debian packages (debootstrap; no registry pull)…"
command -v debootstrap >/dev/null || $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 debootstrap >/dev/null
root=$(mktemp -d /tmp/flask-rootfs.XXXXXX)
trap '$SUDO rm -rf "$root"' EXIT
$SUDO debootstrap --variant=minbase --include=python3-flask bookworm "$root" "$MIRROR" >/dev/null
# Keep the image small: documentation, locales and apt caches are not needed to run the app.
$SUDO rm -rf "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/*
$SUDO mkdir -p "$root/app"
$SUDO cp "$here/app.py" "$root/app/app.py"
$SUDO tar -C "$root" -c . | docker import -c 'WORKDIR /app' -c 'EXPOSE 80' -c 'CMD ["python3", "app.py"]' - "$IMAGE" >/dev/null
echo "built $IMAGE (debootstrap + docker import)"
