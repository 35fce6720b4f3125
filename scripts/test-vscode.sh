#!/usr/bin/env bash
# `npm run test:vscode`: the extension in a real VS Code, offline. Installs the VS Code server test package when
# needed, builds, runs the extension-host suite on the repo's extension, packages the .vsix and runs the suite
# again on the installed package, then the UI tests in headless Chromium (on the .vsix when it was made).
# Every step prints what it does and how long it took; results go to test-output/results-vscode-*.json.
# Expects dockerd, the dm-* containers and the test sshd (`bash scripts/test-env.sh`); tests that need them say
# they were skipped when they are missing.
set -uo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
status=0
step() { echo; echo "== test-vscode: $* (+$(( $(date +%s) - t0 ))s)"; }
took() { echo "== test-vscode: $1 took $(( $(date +%s) - $2 ))s (exit $3)"; [ "$3" = 0 ] || status=1; }

step "VS Code server test package (scripts/vscode-server-setup.sh)"
s=$(date +%s); bash scripts/vscode-server-setup.sh; took "setup" "$s" $?

step "type check of the suite (tsconfig.vscode-test.json; mocha's types come from the test package)"
s=$(date +%s); npx tsc -p tsconfig.vscode-test.json --noEmit; took "suite type check" "$s" $?

step "build"
s=$(date +%s); npm run --silent build; took "build" "$s" $?

step "suite in the VS Code server, extension from the repo"
s=$(date +%s); node test/vscode/runServer.mjs; took "suite (repo)" "$s" $?

step "package (npm run package)"
vsix=docker-monitor.vsix
rm -f "$vsix"
s=$(date +%s); npm run --silent package; rc=$?; took "package" "$s" $rc
if [ "$rc" = 0 ] && [ -f "$vsix" ]; then
  step "suite in the VS Code server, extension installed from $vsix"
  s=$(date +%s); node test/vscode/runServer.mjs --vsix "$vsix"; took "suite (.vsix)" "$s" $?
  ui_args=(--vsix "$vsix")
else
  echo "no $vsix: the packaged extension is not tested; the UI tests use the repo's build"
  npm run --silent build >/dev/null
  ui_args=()
fi

step "UI tests in headless Chromium"
s=$(date +%s); node test/vscode/ui/run.mjs "${ui_args[@]}"; took "UI tests" "$s" $?

echo
echo "== test-vscode: done in $(( $(date +%s) - t0 ))s, $([ $status = 0 ] && echo 'all steps passed' || echo 'some steps failed')"
exit $status
