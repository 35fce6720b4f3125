#!/usr/bin/env bash
# `npm run package`: a production build, then docker-monitor.vsix. esbuild bundles everything the extension
# runs (ssh2 in dist/ssh2.js, the webview libraries), so node_modules is not shipped (--no-dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build -- --production
# --allow-missing-repository: package.json names no public repository yet; README links stay relative to the
# packaged files (--no-rewrite-relative-links), which VS Code resolves against the installed extension.
npx vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links --out docker-monitor.vsix
# What went in (stdin closed: a question from vsce fails instead of waiting).
npx vsce ls --no-dependencies </dev/null
