#!/usr/bin/env bash
# Python tools our tests use, in one virtualenv outside the repo:
#   cfn-lint      checks the CloudFormation template `sls package` writes;
#   moto[server]  a local S3 / SSM / Secrets Manager endpoint;
#   schemathesis  fuzzes the HTTP API against its OpenAPI document.
# Idempotent: a venv whose stamp matches these requirements is left alone.
set -euo pipefail
VENV="${BATON_PYTHON_VENV:-$HOME/.cache/baton/venv}"
# hypothesis 6.131+ breaks schemathesis 3.39 ("'many' object has no attribute 'more'").
REQUIREMENTS=('cfn-lint>=1,<2' 'moto[server]>=5,<6' 'schemathesis>=3.39,<4' 'hypothesis<6.131')
STAMP="$VENV/.baton-requirements"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "${REQUIREMENTS[*]}" ]; then
  echo "python tools: present in $VENV"
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"
echo "${REQUIREMENTS[*]}" > "$STAMP"
echo "python tools: installed into $VENV"
