#!/usr/bin/env bash
# Installs Debian's chromium for the run viewer's browser tests
# (test/e2e/ui.test.ts drives /usr/bin/chromium with playwright-core;
# Playwright's own browser download cannot work offline).
# Idempotent: does nothing when the binary is there.
set -euo pipefail

log() { echo "install-chromium: $*" >&2; }

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
log "installing chromium"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
[ -x /usr/bin/chromium ] || { log "/usr/bin/chromium is missing after the install"; exit 1; }
/usr/bin/chromium --version >&2 2>/dev/null || true
