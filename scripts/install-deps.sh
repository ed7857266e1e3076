#!/usr/bin/env bash
# Installs the Debian packages attestd builds and tests against, when they are missing.
# Idempotent: does nothing (and needs no network) when everything is already there.
set -euo pipefail

packages=(libssl-dev liblz4-dev libsqlite3-dev pkg-config openssl python3 lz4 curl ca-certificates)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
