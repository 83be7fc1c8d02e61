#!/usr/bin/env bash
# The whole test suite, in one build: installs what it needs, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
swift test --skip-build "$@"
