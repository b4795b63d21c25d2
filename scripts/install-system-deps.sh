#!/usr/bin/env bash
# Installs the Debian packages the suite and its tests use, only those missing (idempotent, quick when done).
# Usage: scripts/install-system-deps.sh [browsers|all|bench]   (default: all)
set -euo pipefail
want=(chromium chromium-headless-shell fonts-noto-cjk)
case "${1:-all}" in
  all|browsers) want+=(firefox-esr webkit2gtk-driver xvfb xauth python3-gi gir1.2-webkit2-4.1) ;;
  bench) want+=(chromium-driver) ;;  # for @axe-core/cli (npm), the comparison the benchmarks measure against
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "install-system-deps: no apt-get here; install these packages yourself: ${missing[*]}" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-system-deps: installing ${missing[*]}" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
