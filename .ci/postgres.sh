# shellcheck shell=bash
# Sourced by .ci/run: a throwaway PostgreSQL cluster for the journal tests.
#
# Installs Debian's server package when no server is there, starts a cluster in a
# temporary folder listening only on a Unix socket in that folder, creates the
# database, exports BETASTATE_TEST_POSTGRES, and stops and removes it all when the
# calling script exits. PostgreSQL refuses to run as root: as root, the cluster
# belongs to the `postgres` user the package creates.

pg_bindir() {
  local found
  found="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then
    printf '%s\n' "$found"
  fi
}

if [ -z "$(pg_bindir)" ]; then
  echo "ci: installing PostgreSQL (Debian package postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql > /dev/null
fi
pg_bin="$(pg_bindir)"

pg_root="$(mktemp -d /tmp/betastate-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$pg_root"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

pg_stop() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_root/data" -m immediate -w stop > /dev/null 2>&1 || true
  rm -rf "$pg_root"
}
trap pg_stop EXIT

# fsync=off: the server is thrown away; the tests kill clients, never the server, so its
# disk flushes would prove nothing and only cost time.
as_pg "$pg_bin/initdb" -D "$pg_root/data" -U postgres -A trust -E UTF8 --no-sync > /dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_root/data" -l "$pg_root/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $pg_root -c max_connections=200 -c fsync=off" start > /dev/null
as_pg "$pg_bin/createdb" -h "$pg_root" -U postgres betastate_test

export BETASTATE_TEST_POSTGRES="postgresql:///betastate_test?host=$pg_root&user=postgres"
echo "ci: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on $pg_root"
