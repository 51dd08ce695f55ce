#!/usr/bin/env bash
# Install what Casefile needs from Debian: Tesseract 5 with English and Urdu, fonts for the test scans, and
# Chromium for the browser tests (Playwright drives it; its own browser download is never used).
# Idempotent: does nothing when everything is already there.
set -euo pipefail

missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
for lang in eng urd; do
  tesseract --list-langs 2>/dev/null | grep -qx "$lang" || missing+=("tesseract-ocr-$lang")
done
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf ] || missing+=(fonts-noto-core)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}"
}
