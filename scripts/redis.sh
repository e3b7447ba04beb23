#!/usr/bin/env bash
# Makes sure a Redis server answers on 127.0.0.1:6379, starting Debian's redis-server if none does
# (installing it with apt-get when it is missing and we are root). Keeps nothing on disk.
set -euo pipefail
port="${REDIS_PORT:-6379}"
ping() { (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ping; then exit 0; fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "redis.sh: redis-server is not installed (apt-get install redis-server)" >&2; exit 1
  fi
fi
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no >/dev/null
for _ in $(seq 1 50); do ping && exit 0; sleep 0.1; done
echo "redis.sh: redis-server did not answer on port $port" >&2
exit 1
