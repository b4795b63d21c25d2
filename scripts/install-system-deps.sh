#!/usr/bin/env bash
# Installs the Debian packages the suite and its tests use, only those missing (idempotent, quick when done).
# Usage: scripts/install-system-deps.sh [browsers|all|bench]   (default: all)
set -euo pipefail
# hunspell-en-us/-gb and Enchant (libenchant-2-2): the spelling check's dictionaries (qa/check/language.py)
# tesseract-ocr (+ eng, jpn): the images-of-text check reads the words in images (qa/check/images_of_text.py)
want=(chromium chromium-headless-shell fonts-noto-cjk hunspell-en-us hunspell-en-gb libenchant-2-2
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-jpn)
case "${1:-all}" in
  all|browsers) want+=(firefox-esr webkit2gtk-driver xvfb xauth python3-gi gir1.2-webkit2-4.1) ;;
  bench) want+=(chromium-driver) ;;  # for @axe-core/cli (npm), the comparison the benchmarks measure against
esac

# The rule engines beside axe-core and the newest axe-core (qa/data/rule-engines.json): fetched from the npm registry,
# pinned by version and the registry's integrity hash, unpacked into the engines cache (QA_ENGINES_DIR, default
# ~/.cache/qa-suite/engines). The suite reads their scripts from there; a missing engine is recorded as not run in
# every audit, and without the newest axe-core the copy bundled with axe-playwright-python runs.
install_engines() {
  local cache="${QA_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/qa-suite/engines}"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "install-system-deps: node and npm are missing, so the IBM Equal Access and HTML_CodeSniffer engines and the" \
      "newest axe-core are not installed (audits record the engines as not run and use the bundled axe-core);" \
      "install them (apt-get install nodejs npm), then run: qa setup" >&2
    return 0
  fi
  local list name package version integrity file dest tmp got
  list=$(node -e 'const e = require(process.argv[1]).engines;
    for (const [n, x] of Object.entries(e)) console.log([n, x.package, x.version, x.integrity, x.file].join(" "))' \
    "$(cd "$(dirname "$0")/.." && pwd)/qa/data/rule-engines.json")
  while read -r name package version integrity file; do
    dest="$cache/$package-$version"
    [ -f "$dest/$file" ] && continue
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/.download-XXXXXX")
    got=$(cd "$tmp" && npm pack "$package@$version" --json --silent 2>/dev/null |
      node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => console.log(JSON.parse(s)[0].integrity))') || got=""
    if [ "$got" != "$integrity" ]; then
      echo "install-system-deps: could not fetch $package@$version with the pinned integrity (got '${got}');" \
        "check the network to the npm registry, then run: qa setup" >&2
      rm -rf "$tmp"
      continue
    fi
    mkdir "$tmp/unpacked"
    tar -xzf "$tmp"/*.tgz -C "$tmp/unpacked" --strip-components=1
    mv -T "$tmp/unpacked" "$dest" 2>/dev/null || true  # another run may have unpacked it meanwhile
    rm -rf "$tmp"
    echo "install-system-deps: installed the $name engine ($package $version) into $dest" >&2
  done <<<"$list"
}
install_engines

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
