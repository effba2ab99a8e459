#!/usr/bin/env bash
# Installs nginx with its stream module (Debian packages) for the mTLS test:
# test/e2e/mtls.test.ts runs its own nginx as a TLS-terminating proxy in front
# of the Temporal dev server. Nothing is started here, and the package's own
# service is kept from starting (it would take port 80).
# Idempotent: does nothing when the binary and the module are there.
set -euo pipefail

log() { echo "install-nginx: $*" >&2; }

MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
if command -v nginx >/dev/null 2>&1 && [ -f "$MODULE" ]; then
  exit 0
fi

policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  # Debian's convention for "install, but do not start services".
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  made_policy=1
fi
trap 'if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi' EXIT

log "installing nginx and libnginx-mod-stream"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx libnginx-mod-stream >/dev/null

command -v nginx >/dev/null 2>&1 || { log "nginx is not on PATH after the install"; exit 1; }
[ -f "$MODULE" ] || { log "$MODULE is missing after the install"; exit 1; }
log "nginx $(nginx -v 2>&1 | sed 's/.*\///') with the stream module is installed"
