#!/usr/bin/env bash
# The main job on its built-in default: set up, then lvperf selfcheck (ping
# and beacon against a network namespace it creates and removes).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
exec "$root/build/lvperf" selfcheck "$@"
