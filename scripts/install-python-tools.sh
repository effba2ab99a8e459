#!/usr/bin/env bash
# Python tools our tests use, in one virtualenv outside the repo:
#   cfn-lint      checks the CloudFormation template `sls package` writes;
#   moto[server]  a local S3 / SSM / Secrets Manager endpoint;
#   schemathesis  fuzzes the HTTP API against its OpenAPI document.
# Idempotent: a venv that already has all three is left alone.
set -euo pipefail
VENV="${BATON_PYTHON_VENV:-$HOME/.cache/baton/venv}"
if [ -x "$VENV/bin/cfn-lint" ] && [ -x "$VENV/bin/moto_server" ] && [ -x "$VENV/bin/schemathesis" ]; then
  echo "python tools: present in $VENV"
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/pip" install --quiet --disable-pip-version-check 'cfn-lint>=1,<2' 'moto[server]>=5,<6' 'schemathesis>=3.39,<4'
echo "python tools: installed into $VENV"
