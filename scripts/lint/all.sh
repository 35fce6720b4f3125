#!/usr/bin/env bash
# `npm run lint`: ESLint (with the layer rules), the format check (Prettier), the import-cycle check and knip
# (dead code). Runs all four and fails if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
echo "-- eslint"
npx eslint --cache --cache-location node_modules/.cache/eslint/ --max-warnings 0 . || status=1
echo "-- format (Prettier; npm run format fixes it)"
npx prettier --check --log-level warn . || status=1
echo "-- import cycles"
node scripts/lint/cycles.mjs || status=1
echo "-- knip (unused files, exports, dependencies)"
npx knip --no-progress || status=1
[ $status = 0 ] && echo "lint: clean" || echo "lint: FAILED"
exit $status
