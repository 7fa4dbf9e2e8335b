#!/usr/bin/env bash
# Quick start: set up, build (release) and run `consulate agent -dev` in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target consulate
exec build/release/consulate agent -dev "$@"
