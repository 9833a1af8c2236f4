#!/usr/bin/env bash
# Installs the Debian 12 packages avtaleflyt needs to build, test and run.
# Idempotent: when every package is present it only checks, which takes well under a second.
# Run as root (or with sudo available). Exits non-zero if a package cannot be installed.
# install-deps.sh --bench adds the benchmarks' references (LibreOffice).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpoco-dev          # Foundation, Util, Data/SQLite, Zip, XML, Net, Crypto, JWT
  libsqlite3-dev sqlite3
  libpq-dev            # PostgreSQL's client library (libpoco-dev has Poco's connector)
  postgresql           # the tests run a throwaway server of their own (scripts/postgres.sh)
  libxml2-dev
  zlib1g-dev           # unpacking .xlsx parts
  libssl-dev
  catch2
  libpodofo-dev        # PDF rendering and signing
  fonts-dejavu-core    # the embedded fonts
  icc-profiles-free    # sRGB profile for PDF/A
  poppler-utils qpdf   # pdfsig, pdffonts, pdftotext, qpdf --check in the tests
  openssl              # makes a PKCS#12 seal file in the tests
  curl                 # the demo and the tests talk to the portal over HTTP
  python3-aiosmtpd     # a real SMTP server for the mail tests (/usr/bin/python3 -m aiosmtpd)
  chromium             # the portal's browser tests (driven by playwright-core, tests/browser)
  dpkg-dev systemd     # make package (cpack's dpkg-shlibdeps) and its test (systemd-analyze)
  groff-base           # the package test renders the man page
  wrk nginx-light time iproute2  # scripts/bench-portal.sh: load, the static reference, peak memory, ss
  clang libclang-rt-14-dev       # the fuzz preset: libFuzzer and the sanitizers' runtimes (tests/fuzz)
)
# --bench: also what `make bench` compares against (LibreOffice converting the same document).
if [ "${1:-}" = "--bench" ]; then
  packages+=(libreoffice-writer-nogui)
fi

# playwright-core for the browser tests, pinned by tests/browser/package-lock.json (it drives
# Debian's chromium; no browser is downloaded).
# Node.js and npm come from Debian unless the machine has them already (e.g. NodeSource's).
browser_deps() {
  local dir
  dir="$(dirname "$0")/../tests/browser"
  if ! command -v npm >/dev/null 2>&1; then
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    (cd "$dir" && npm ci --silent --no-audit --no-fund >/dev/null)
  fi
}

sudo_cmd=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  browser_deps
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ] && [ ${#sudo_cmd[@]} -eq 0 ]; then
  echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
browser_deps
echo "install-deps: done"
