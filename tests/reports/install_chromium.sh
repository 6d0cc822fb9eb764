#!/bin/sh
# Install a headless browser for the report's browser test (tests/reports), if needed:
# Debian's chromium (about 20 s and ~100 MB on Debian 12 with a reachable mirror),
# unless chromium or Chrome is on PATH already. Where it cannot, it says so and the
# browser test skips with a clear message.
exec sh "$(dirname "$0")/../setup/install_debian_package.sh" install_chromium chromium \
    "the headless-browser test will skip" \
    chromium chromium-browser google-chrome google-chrome-stable
