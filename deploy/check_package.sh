#!/usr/bin/env bash
# Offline proof that the Lambda deployment works: package with osls (dummy credentials, nothing
# is sent to AWS), lint the generated template, check the zips, import and invoke every handler
# from its unpacked zip under Python 3.12, and check the template against the seed settings.
#
# Needs: node >= 20.19 and npm (npm ci installs the pinned tools), the project's venv at .venv
# (pip install -e '.[dev]'), pyenv's Python 3.12.1 as `python3.12` (the Lambda runtime version).
# Usage: deploy/check_package.sh            (from anywhere; about a minute with warm caches)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
STAGE=dev
REGION=eu-west-1
started=$SECONDS
step() { printf '\n== %s (%ss)\n' "$1" "$((SECONDS - started))"; }

[ -x "$PY" ] || { echo "FAIL: $PY is missing: create the venv first (make install)" >&2; exit 1; }
PYENV_VERSION=3.12.1 python3.12 --version >/dev/null ||
  { echo "FAIL: python3.12 (pyenv 3.12.1) is needed for the Lambda smoke test" >&2; exit 1; }

step "tools: npm ci, cfn-lint"
npm ci --no-audit --no-fund --loglevel=error
"$PY" -m pip install --quiet -r deploy/requirements-checks.txt

step "osls package --stage $STAGE (offline, dummy credentials)"
rm -rf .serverless
AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN=test AWS_REGION=$REGION \
  PYTHON_BIN="$PY" SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
  node_modules/.bin/osls package --stage "$STAGE" --region "$REGION" 2>&1 |
  grep -v "is ignored: it is neither a file nor a directory" || true
[ -f .serverless/cloudformation-template-update-stack.json ] ||
  { echo "FAIL: osls produced no template" >&2; exit 1; }

step "cfn-lint"
lint_json=$(mktemp)
trap 'rm -f "$lint_json"' EXIT
# Exit status is a bit mask (2 error, 4 warning, 8 info); lint_template.py judges the findings.
"$VENV/bin/cfn-lint" .serverless/cloudformation-template-update-stack.json \
  --format json --regions "$REGION" >"$lint_json" || true
"$PY" deploy/lint_template.py "$lint_json" .serverless/serverless-state.json

step "artifacts: size, no boto3, Lambda-native code"
"$PY" deploy/check_artifacts.py .serverless

step "every handler imported and invoked from its zip under Python 3.12"
"$PY" deploy/smoke_lambda.py .serverless

step "template parity with the seed and least-privilege IAM"
DEPLOY_CHECKS=1 "$PY" -m pytest -q -p no:cacheprovider tests/deploy

echo "check_package: all checks passed in $((SECONDS - started)) s"
