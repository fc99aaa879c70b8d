#!/bin/sh
# Builds the image the docker-runtime tests use, from the host's static busybox (nothing is pulled):
#   wayfinder-test/busybox:latest — /bin/busybox plus its applets (sh, sleep, httpd, wget, nc …).
# Needs: docker (an engine answering on DOCKER_HOST or /var/run/docker.sock) and busybox-static.
# Idempotent: rebuilds only when the image is missing (FORCE=1 rebuilds anyway).
set -eu
IMAGE="${WAYFINDER_TEST_IMAGE:-wayfinder-test/busybox:latest}"
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE already present"
  exit 0
fi
BUSYBOX="$(command -v busybox || true)"
[ -n "$BUSYBOX" ] || { echo "busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if ! file "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
  [ -x /bin/busybox ] && BUSYBOX=/bin/busybox
fi
ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/bin" "$ROOT/tmp" "$ROOT/www" "$ROOT/etc"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$ROOT/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$ROOT/bin/$applet"
done
chmod 1777 "$ROOT/tmp"
echo 'hello from wayfinder-test' > "$ROOT/www/index.html"
echo 'root:x:0:0:root:/:/bin/sh' > "$ROOT/etc/passwd"
echo 'root:x:0:' > "$ROOT/etc/group"
tar -C "$ROOT" -c . | docker import \
  -c 'ENV PATH=/bin' \
  -c 'CMD ["/bin/httpd", "-f", "-p", "80", "-h", "/www"]' \
  - "$IMAGE" >/dev/null
echo "built $IMAGE"
