# Sourced by the bench/*.sh scripts: checks that the measured peers and load generators exist, and
# says how to install the missing ones (Debian packages; moto_server and aws come from pip).
# Usage: need_peers nginx wrk taskset ...   (exits 1 after listing everything missing)
need_peers() {
  local t missing=() apt=() pip=()
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 && continue
    missing+=("$t")
    case $t in
      dig) apt+=(dnsutils);;
      taskset|setsid) apt+=(util-linux);;
      moto_server) pip+=("'moto[server]'");;
      aws) pip+=(awscli);;
      *) apt+=("$t");;
    esac
  done
  [ ${#missing[@]} = 0 ] && return 0
  echo "$(basename "$0"): missing ${missing[*]} (the benchmark runs these peers/tools beside Wayfinder)." >&2
  [ ${#apt[@]} = 0 ] || echo "  install: apt-get install -y ${apt[*]}" >&2
  [ ${#pip[@]} = 0 ] || echo "  install: pip install ${pip[*]}" >&2
  exit 1
}
