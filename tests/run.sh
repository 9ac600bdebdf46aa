#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's Chromium and Firefox ESR, the extension
# linter) and runs the whole suite: lint, the extension's node tests, pytest (unit, API, scrapers,
# end-to-end).
# Set BTF_TEST_DATABASE_URL=postgresql://... to run the Python suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

step() { printf '\n== %s\n' "$*"; }

step "Python packages"
test -x .venv/bin/python || python3 -m venv .venv
pip_install() {
  # The build backend's notices are noise on success; on failure show everything.
  if ! .venv/bin/pip install --quiet --disable-pip-version-check "$@" >.venv/pip.log 2>&1; then
    cat .venv/pip.log
    return 1
  fi
}
pip_install --upgrade pip
pip_install -e '.[test]'
echo "installed into .venv"
touch .venv/.installed

step "Chromium (Debian's package) for the end-to-end tests"
if ! test -x /usr/bin/chromium; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version

step "Firefox ESR (Debian's package) for the end-to-end tests"
if ! test -x /usr/bin/firefox-esr; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq firefox-esr >/dev/null
fi
/usr/bin/firefox-esr --version

step "Node packages for the extension's lint"
npm ci --prefix tests/extension --no-audit --no-fund --loglevel=error
# axe-core, injected by the workshop's browser tests (tests/workshop/test_workshop_a11y.py)
npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error --prefer-offline

step "Lint"
.venv/bin/ruff check .
npx --prefix tests/extension web-ext lint --source-dir extension --warnings-as-errors \
  --self-hosted=false --output text
if [ "${1:-}" = "--lint-only" ]; then exit 0; fi

step "Extension unit tests (node --test)"
node --test tests/extension/

step "Python suite (pytest)${BTF_TEST_DATABASE_URL:+ on $BTF_TEST_DATABASE_URL}"
.venv/bin/pytest -q -n 2 --dist loadgroup
