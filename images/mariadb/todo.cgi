#!/bin/sh
# GET /: the to-do list; POST / with the item as the body: adds it, then the list. Every request looks up
# the database's SRV record (its address and port) and talks to it with the mariadb client; in version 3
# (jobs/todo-web-v3.nomad.hcl) Nomad's template gives the address instead (DB_ADDRESS, DB_PORT), and a title.
service=${DB_SERVICE:-todo-db.service.consul}

fail() {
  printf 'HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n'
  echo "todo-web $(hostname): $*"
  exit 0
}

if [ -n "${DB_ADDRESS:-}" ] && [ -n "${DB_PORT:-}" ]; then
  # Version 3: Nomad's template wrote the address from Consul's catalog into the task's environment.
  address=$DB_ADDRESS
  port=$DB_PORT
  found="DB_ADDRESS and DB_PORT from the template"
else
  # "todo-db.service.consul	service = 1 1 3306 0a5c000b.addr.dc1.consul"
  srv=$(busybox nslookup -type=srv "$service" 2>/dev/null | awk '/service = / {print $(NF-1), $NF; exit}')
  [ -n "$srv" ] || fail "no SRV record for $service"
  port=${srv% *}
  target=${srv#* }
  target=${target%.}
  address=$(busybox nslookup -type=a "$target" 2>/dev/null | awk '/^Address: / {a=$2} END {print a}')
  [ -n "$address" ] || fail "no address for $target"
  found="$service SRV -> $target"
fi

# The password reaches the client through its environment, never its command line.
sql() {
  MYSQL_PWD=${DB_PASSWORD:-} mariadb --host="$address" --port="$port" --user=root --connect-timeout=3 --batch --skip-column-names -e "$1" 2>&1
}

out=$(sql 'CREATE DATABASE IF NOT EXISTS todo; CREATE TABLE IF NOT EXISTS todo.items (id INT AUTO_INCREMENT PRIMARY KEY, item VARCHAR(255) NOT NULL)') ||
  fail "database at $address:$port: $out"
if [ "${REQUEST_METHOD:-GET}" = POST ]; then
  item=$(head -c "${CONTENT_LENGTH:-0}" | tr -d '\r\n' | head -c 255)
  [ -n "$item" ] || fail "POST an item as the request body"
  # A hex literal: the item's bytes reach the table as they are, whatever they hold.
  hex=$(printf '%s' "$item" | od -An -v -tx1 | tr -d ' \n')
  out=$(sql "INSERT INTO todo.items (item) VALUES (X'$hex')") || fail "database at $address:$port: $out"
fi
items=$(sql 'SELECT id, item FROM todo.items ORDER BY id') || fail "database at $address:$port: $items"

printf 'Content-Type: text/plain\r\n\r\n'
[ -z "${TODO_TITLE:-}" ] || echo "$TODO_TITLE"
echo "todo-web $(hostname) found todo-db at $address:$port ($found)"
printf '%s\n' "$items"
