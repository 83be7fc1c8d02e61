#!/usr/bin/env bash
# Builds Harbinger and serves rules.example.yml (or the rules path given) with the embedded SQLite
# store: webhooks on http://127.0.0.1:8686/hooks/<source>, history in harbinger.db.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product harbinger
rules=${1:-rules.example.yml}
.build/release/harbinger check "$rules"
exec .build/release/harbinger serve --rules "$rules"
