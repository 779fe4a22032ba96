#!/usr/bin/env bash
# Start PostgreSQL and Redis when they are installed but not running. Under CI=true a service
# that is installed but cannot be started fails the run; a missing install is reported.
set -uo pipefail
status=0
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || status=1
  fi
fi
if command -v redis-server >/dev/null 2>&1; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || status=1
  fi
fi
if [ "${CI:-}" = "true" ] && [ "$status" -ne 0 ]; then
  echo "services.sh: a service failed to start" >&2
  exit 1
fi
exit 0
