#!/usr/bin/env bash
# Makes sure Chromium is installed for the browser tests (matcher/dashboard, matcher/report),
# installing Debian's chromium with apt-get when it is missing and we are root.
set -euo pipefail
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  command -v chromium >/dev/null 2>&1 && exit 0
fi
echo "chromium.sh: Chromium is not installed (apt-get install chromium)" >&2
exit 1
