#!/usr/bin/env bash
# Builds Harbinger and runs it on rules.example.yml (or the rules path given).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product harbinger
rules=${1:-rules.example.yml}
exec .build/release/harbinger check "$rules"
