#!/usr/bin/env bash
# Installs what building and testing Harbinger needs, when it is missing. Safe to run again.
set -euo pipefail
packages=(libyaml-dev pkg-config libsqlite3-dev docker-registry skopeo umoci curl apache2-utils openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The schema test validates with Python's jsonschema and PyYAML.
if ! python3 -c 'import jsonschema, yaml' 2>/dev/null; then
  echo "bootstrap: installing Python jsonschema and PyYAML" >&2
  python3 -m pip install --quiet jsonschema pyyaml
fi
command -v swift >/dev/null || { echo "bootstrap: Swift 6.1 or later must be on PATH" >&2; exit 1; }
