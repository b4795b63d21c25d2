#!/usr/bin/env bash
# Rewrites constraints.txt: every package a fresh install of the suite and its tests resolves to, pinned, so that
# `nox -s tests` (and CI) install the same tree each time. Run it after changing a dependency in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q ".[test]"
{
  echo "# The whole dependency tree, pinned: made by scripts/lock.sh from pyproject.toml; do not edit by hand."
  "$tmp/venv/bin/pip" freeze --exclude qa-suite | LC_ALL=C sort -f
} > constraints.txt.tmp
mv constraints.txt.tmp constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages"
