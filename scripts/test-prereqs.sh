#!/usr/bin/env bash
# What the test suite needs from the machine: Debian's Prometheus and Alertmanager (real
# alert sources, end to end), kubectl (to prove the Kubernetes fake faithful and render
# deploy/), Chromium (browser tests), HAProxy (in front of the chaos harness's replicas),
# and Postgres, MariaDB and Redis running on loopback. Installs and starts what is missing
# (as root, from Debian's packages); does nothing when all is there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "test prerequisites missing: ${missing[*]} — install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 1
  fi
  echo "installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start their own Alertmanager (:9093) and Prometheus (:9090) where services
  # may start; tests run their own on free ports.
  pkill -f '^/usr/bin/prometheus-alertmanager' 2>/dev/null || true
  pkill -f '^/usr/bin/prometheus( |$)' 2>/dev/null || true
fi

up() { pg_isready -h 127.0.0.1 -p 5432 -q && mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; }
if ! up; then
  pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 || start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for i in $(seq 1 60); do
    up && break
    [ "$i" = 60 ] && { echo "Postgres, MariaDB and Redis did not all come up in 60 s" >&2; exit 1; }
    sleep 1
  done
fi
