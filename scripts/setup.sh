#!/usr/bin/env bash
# Installs every Debian package Consulate needs to build, test and benchmark. Idempotent: packages
# already installed are left alone, and apt is only asked when something is missing.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache g++-12 clang-14 libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-consul curl
)
# Only for benchmarks and the probes (peers to compare against); harmless elsewhere.
if [ "${CONSULATE_BENCH_PEERS:-0}" = 1 ]; then
  packages+=(wrk etcd-server etcd-client nginx-light)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The npm `consul` client for the integration tests (npm registry; node/npm come with the machine,
# or from Debian's nodejs/npm packages).
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -d "$root/tests/integration/npm/node_modules/consul" ]; then
  if ! command -v npm >/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  (cd "$root/tests/integration/npm" && npm install --no-audit --no-fund --loglevel=error)
fi
