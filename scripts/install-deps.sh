#!/usr/bin/env bash
# Installs the Debian 12 packages avtaleflyt needs to build, test and run.
# Idempotent: when every package is present it only checks, which takes well under a second.
# Run as root (or with sudo available). Exits non-zero if a package cannot be installed.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpoco-dev          # Foundation, Util, Data/SQLite, Zip, XML, Net, Crypto, JWT
  libsqlite3-dev sqlite3
  libxml2-dev
  libssl-dev
  catch2
  libpodofo-dev        # PDF rendering and signing
  fonts-dejavu-core    # the embedded fonts
  icc-profiles-free    # sRGB profile for PDF/A
  poppler-utils qpdf   # pdfsig, pdffonts, pdftotext, qpdf --check in the tests
  openssl              # makes a PKCS#12 seal file in the tests
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
