#!/usr/bin/env bash
# Installs what the VS Code tests run on, idempotently: the Debian libraries code-server's native modules build
# against, Chromium, a ripgrep archive that spares @vscode/ripgrep its download, and the separate npm package
# test/vscode-server (code-server, playwright-core, mocha, @vscode/test-electron) from its lock file.
# Skips the npm install when node_modules was installed from the same lock file with the same Node major.
#   VSCODE_SERVER_CACHE_DIR=DIR  also keep/restore a tarball of the installed node_modules there (CI cache).
set -euo pipefail
cd "$(dirname "$0")/.."
PKG=test/vscode-server
t0=$(date +%s)
say() { echo "[vscode-server-setup +$(( $(date +%s) - t0 ))s] $*"; }

# --- Debian packages: build libraries (from code-server's docs/npm.md), a C++ toolchain for node-gyp, Chromium, rg.
need=()
for p in build-essential python3 pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev chromium ripgrep; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing Debian packages ${need[*]}; run this script as root to install them" >&2; exit 1; }
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  say "installed Debian packages"
else
  say "Debian packages present"
fi

# --- The installed tree is keyed by the lock file, the Node major and the machine (native modules).
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || { echo "code-server 4.100.3 needs Node 20 (this is Node $node_major)" >&2; exit 1; }
key=$( { sha256sum "$PKG/package-lock.json" "$PKG/package.json" | cut -d' ' -f1; echo "node$node_major $(uname -m)"; } | sha256sum | cut -c1-16)
stamp=$PKG/node_modules/.docker-monitor-setup
server_main=$PKG/node_modules/code-server/lib/vscode/out/server-main.js
installed() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$server_main" ]; }
cache_tar=
[ -n "${VSCODE_SERVER_CACHE_DIR:-}" ] && cache_tar=$VSCODE_SERVER_CACHE_DIR/vscode-server-node_modules-$key.tar.gz
save_cache() {
  [ -n "$cache_tar" ] && [ ! -f "$cache_tar" ] || return 0
  mkdir -p "$VSCODE_SERVER_CACHE_DIR"
  tar -C "$PKG" -czf "$cache_tar.part" node_modules && mv "$cache_tar.part" "$cache_tar"
  say "saved node_modules to $cache_tar"
}

if installed; then
  say "test/vscode-server is installed from this lock file ($key): nothing to do"
  save_cache
  exit 0
fi

if [ -n "$cache_tar" ]; then
  if [ -f "$cache_tar" ]; then
    say "restoring node_modules from $cache_tar"
    rm -rf "$PKG/node_modules"
    tar -C "$PKG" -xzf "$cache_tar"
    if installed; then
      say "restored from the cache"
      exit 0
    fi
    say "the cached tarball is incomplete; installing instead"
  fi
fi

# --- @vscode/ripgrep downloads rg from GitHub in postinstall unless its cache already holds the archive.
case "$(uname -m)" in
  x86_64) rg_triple=x86_64-unknown-linux-musl ;;
  aarch64) rg_triple=aarch64-unknown-linux-musl ;;
  *) echo "no ripgrep archive name known for $(uname -m)" >&2; exit 1 ;;
esac
rg_cache=$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11
rg_tar=$rg_cache/ripgrep-v13.0.0-10-$rg_triple.tar.gz
if [ ! -s "$rg_tar" ]; then
  say "placing Debian's rg at $rg_tar"
  mkdir -p "$rg_cache"
  tmp=$(mktemp -d)
  cp "$(command -v rg)" "$tmp/rg"
  tar -C "$tmp" -czf "$rg_tar.part" rg
  mv "$rg_tar.part" "$rg_tar"
  rm -rf "$tmp"
fi

# --- npm ci runs code-server's postinstall (approved in package.json allowScripts), which installs and builds
# VS Code's own dependencies: several minutes.
say "npm ci in $PKG (code-server builds native modules: about 8 minutes)"
log=$(mktemp)
if ! (cd "$PKG" && npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund >"$log" 2>&1); then
  tail -40 "$log" >&2
  echo "npm ci in $PKG failed (full log: $log)" >&2
  exit 1
fi
rm -f "$log"
for f in "$server_main" "$PKG/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" \
  "$PKG/node_modules/playwright-core/package.json" "$PKG/node_modules/mocha/package.json"; do
  [ -e "$f" ] || { echo "npm ci finished but $f is missing: code-server's postinstall did not run" >&2; exit 1; }
done
echo "$key" >"$stamp"
say "installed test/vscode-server ($key)"

save_cache
say "done"
