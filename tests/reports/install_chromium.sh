#!/bin/sh
# Install a headless browser for the report's browser test (tests/reports), if needed.
#
# Idempotent: does nothing when chromium (or Chrome) is already on PATH. Otherwise it
# installs Debian's chromium with apt-get (about 20 s and ~100 MB on Debian 12 with a
# reachable mirror). It never fails the caller: without apt-get, root/sudo or a mirror
# it says so and exits 0, and the browser test then skips with a clear message.
set -u

for browser in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$browser" >/dev/null 2>&1; then
        echo "install_chromium: $browser is already on PATH ($(command -v "$browser"))"
        exit 0
    fi
done

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_chromium: no apt-get on this machine; the headless-browser test will skip"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "install_chromium: not root and no password-less sudo; the headless-browser test will skip"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install_chromium: installing Debian's chromium (apt-get)..."
# Try with the package lists as they are first; refresh them only if that fails.
if $as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
    || { $as_root apt-get update -qq >/dev/null 2>&1 \
        && $as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }; then
    echo "install_chromium: installed $(chromium --version 2>/dev/null || echo chromium)"
else
    echo "install_chromium: could not install chromium (no mirror reachable?); the headless-browser test will skip"
fi
exit 0
