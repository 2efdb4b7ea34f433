# Shared by tools/run, tools/test and tools/blocklist. Source it; it defines functions only.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# Installs the pinned npm packages (Azurite, the JS SDKs) when node_modules is missing or stale.
ensure_node_modules() {
  local root; root=$(repo_root)
  if ! command -v node >/dev/null 2>&1; then
    echo "error: Node.js is required (for Azurite). Install Node.js 20+ and try again." >&2; return 1
  fi
  # Reinstall only when the lock file's content changed (a stamp, not mtimes: a fresh checkout or a merge
  # touches the lock file without changing it).
  local want stamp="$root/node_modules/.blocklist-lock-sha256"
  want=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)
  if [ ! -x "$root/node_modules/.bin/azurite" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing npm packages (azurite, Azure JS SDKs)..." >&2
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2) || return 1
    echo "$want" >"$stamp"
  fi
}

# The Debian packages the test suites run for real (resolvers, zone checkers, proxy, openssl, the
# console's browser tests, which drive Debian's chromium, never a downloaded browser, and the CLI's Debian
# package: dpkg-deb builds it, systemd-analyze verifies its unit), as "command package..."
# lines; a command may also sit in /usr/sbin, which is not on every user's PATH.
TEST_DEBIAN_PACKAGES=(
  "unbound unbound"
  "named-checkzone bind9-utils"
  "dig bind9-dnsutils"
  "squid squid"
  "openssl openssl"
  "python3 python3"
  "/usr/lib/python3/dist-packages/unboundmodule.py python3-unbound"  # Unbound's Python module, for the hashed feed's resolver plugin
  "chromium chromium fonts-liberation"
  "dpkg-deb dpkg-dev"
  "systemd-analyze systemd"
)

# Installs the missing test packages when it can (root, or sudo without a password) and BLOCKLIST_INSTALL is
# not "never"; otherwise stops at once, printing the exact command to run. Never lets a suite fail or skip
# for a missing tool.
ensure_debian_packages() {
  local line command packages need=()
  for line in "${TEST_DEBIAN_PACKAGES[@]}"; do
    read -r command packages <<<"$line"
    # shellcheck disable=SC2206 # a line names one or more packages
    command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] || [ -e "$command" ] || need+=($packages)
  done
  [ ${#need[@]} -eq 0 ] && return 0
  local install=(apt-get install -y -qq --no-install-recommends "${need[@]}")
  if [ "${BLOCKLIST_INSTALL:-}" = never ]; then
    :
  elif [ "$(id -u)" -eq 0 ]; then
    echo "installing Debian packages the tests need: ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive "${install[@]}" >&2 && return 0
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "installing Debian packages the tests need: ${need[*]}" >&2
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && sudo -n env DEBIAN_FRONTEND=noninteractive "${install[@]}" >&2 && return 0
  fi
  echo "error: the tests need the Debian packages ${need[*]}, which are not installed. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  return 1
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# start_azurite <data-dir|--memory>: starts Azurite on free loopback ports; sets AZURITE_PID and
# AZURITE_CONNECTION_STRING. The caller stops it with stop_azurite.
start_azurite() {
  local root; root=$(repo_root)
  local where=$1 blob queue table args
  blob=$(free_port); queue=$(free_port); table=$(free_port)
  args=(--silent --disableTelemetry --skipApiVersionCheck --blobPort "$blob" --queuePort "$queue" --tablePort "$table")
  if [ "$where" = "--memory" ]; then
    args+=(--inMemoryPersistence)
  else
    mkdir -p "$where"; args+=(--location "$where")
  fi
  "$root/node_modules/.bin/azurite" "${args[@]}" >"${AZURITE_LOG:-/dev/null}" 2>&1 &
  AZURITE_PID=$!
  local i
  # up to 60 s: on a loaded shared machine node alone can take tens of seconds to start
  for i in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$table") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$blob") 2>/dev/null; then
      AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
      export AZURITE_CONNECTION_STRING
      return 0
    fi
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "error: Azurite did not start (ports $blob/$table)" >&2
  return 1
}

stop_azurite() {
  if [ -n "${AZURITE_PID:-}" ] && kill -0 "$AZURITE_PID" 2>/dev/null; then
    kill "$AZURITE_PID" 2>/dev/null || true
    wait "$AZURITE_PID" 2>/dev/null || true
  fi
}

# signing_key_id <private-key.pem>: the key id clients pin, the hex SHA-256 of the public key's SubjectPublicKeyInfo.
signing_key_id() {
  openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1
}
