#!/usr/bin/env bash
# The test command: set up everything the test suite needs on a bare Debian machine that has
# Python 3.11, then run the whole suite (slow, browser, Neo4j and Jena tests included).
#   - Debian packages: Chromium (browser tests), a Java 17 JDK and Maven (Neo4j and Jena are
#     fetched from Maven Central by the test fixtures and cached under tests/.cache and ~/.m2);
#   - a virtual environment .venv with kg and its test extra.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser" -x
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])' || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
exec .venv/bin/python -m pytest "$@"
