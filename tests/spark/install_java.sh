#!/bin/sh
# Install Java for the Spark tests (tests/spark), if needed: Spark 3.5 runs on a JRE 17
# (Debian's openjdk-17-jre-headless). Where it cannot, it says so, and the Spark tests
# then fail with the same message (JOURNEY_ENGINE=spark needs Java), not skip.
exec sh "$(dirname "$0")/../setup/install_debian_package.sh" install_java openjdk-17-jre-headless \
    "install a JRE 17 for the Spark tests" \
    java
