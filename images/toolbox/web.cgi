#!/bin/sh
# GET /?id=N: look up the db's SRV record, ask the db for record N, answer with it.
service=${DB_SERVICE:-db.service.consul}
id=$(printf '%s' "$QUERY_STRING" | sed -n 's/^\(.*&\)\{0,1\}id=\([0-9A-Za-z]*\).*/\2/p')

fail() {
  printf 'HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n'
  echo "web $(hostname): $*"
  exit 0
}

# "db.service.consul	service = 1 1 23456 0a5c000b.addr.dc1.consul"
srv=$(nslookup -type=srv "$service" 2>/dev/null | awk '/service = / {print $(NF-1), $NF; exit}')
[ -n "$srv" ] || fail "no SRV record for $service"
port=${srv% *}
target=${srv#* }
target=${target%.}
address=$(nslookup -type=a "$target" 2>/dev/null | awk '/^Address: / {a=$2} END {print a}')
[ -n "$address" ] || fail "no address for $target"
answer=$(echo "$id" | nc -w 3 "$address" "$port")
[ -n "$answer" ] || fail "no answer from db at $address:$port"

printf 'Content-Type: text/plain\r\n\r\n'
echo "web $(hostname) found db at $address:$port ($service SRV -> $target)"
echo "$answer"
