#!/usr/bin/env bash
# Set up, build and run every test: GoogleTest unit tests and the integration tests that start
# real agents on loopback (ctest runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
preset=${CONSULATE_PRESET:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
ctest --test-dir "build/$preset" --output-on-failure -j "$(nproc)" --timeout 300
