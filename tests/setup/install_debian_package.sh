#!/bin/sh
# Install a Debian package a test needs, if none of its commands is on PATH yet.
#
#   install_debian_package.sh NAME PACKAGE CONSEQUENCE COMMAND...
#
# NAME prefixes every message, PACKAGE is what apt-get installs, CONSEQUENCE says what
# happens to the tests without it, and each COMMAND is a program that, found on PATH,
# means there is nothing to do. Idempotent, and it never fails the caller: without
# apt-get, root (or password-less sudo) or a reachable mirror it says so and exits 0.
set -u
name=$1
package=$2
consequence=$3
shift 3

for command in "$@"; do
    if command -v "$command" >/dev/null 2>&1; then
        echo "$name: $command is already on PATH ($(command -v "$command"))"
        exit 0
    fi
done

if ! command -v apt-get >/dev/null 2>&1; then
    echo "$name: no apt-get on this machine; $consequence"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "$name: not root and no password-less sudo; $consequence"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "$name: installing Debian's $package (apt-get)..."
# Try with the package lists as they are first; refresh them only if that fails.
if $as_root apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1 \
    || { $as_root apt-get update -qq >/dev/null 2>&1 \
        && $as_root apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1; }; then
    echo "$name: installed $package"
else
    echo "$name: could not install $package (no mirror reachable?); $consequence"
fi
exit 0
