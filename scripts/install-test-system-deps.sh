#!/usr/bin/env bash
# What the tests need from Debian's packages, installed only when absent (run by `npm test`'s
# pretest and by CI): Chromium and a CJK font for the dashboard's browser test
# (tests/e2e/dashboard-browser.test.ts; CHROMIUM_PATH overrides), PostgreSQL for the archive's
# PostgreSQL backend test (tests/support/postgres.ts starts its own server from a temp dir).
# Without root (or passwordless sudo) or apt it says what is missing and goes on: the tests
# that need it then fail saying how to install it.
set -uo pipefail

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
packages=()
if [[ ! -x "$chromium_path" ]]; then packages+=(chromium); fi
if ! fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; then packages+=(fonts-wqy-microhei); fi
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then packages+=(postgresql); fi

if (( ${#packages[@]} == 0 )); then
  echo "test system packages: present ($("$chromium_path" --version 2>/dev/null || echo "chromium at $chromium_path"))"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "test system packages: missing ${packages[*]} and no apt-get to install them (the tests that need them will fail saying so)"
  exit 0
fi
sudo_cmd=()
if (( EUID != 0 )); then
  if sudo -n true 2>/dev/null; then sudo_cmd=(sudo -n); else
    echo "test system packages: missing ${packages[*]}; install them as root: apt-get install -y ${packages[*]}"
    exit 0
  fi
fi
echo "test system packages: installing ${packages[*]} with apt-get"
"${sudo_cmd[@]}" apt-get update -qq \
  && "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" \
  || echo "test system packages: could not install ${packages[*]} (the tests that need them will fail saying so)"
exit 0
