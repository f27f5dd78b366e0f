#!/usr/bin/env bash
# The main job on its built-in default: set up, then run the default
# experiment experiments/quick.yaml end to end (every platform this machine
# can run, small sweeps, n = 5, under 10 minutes) and print where its HTML
# report is. Arguments go to lvperf run (e.g. a spec, --out DIR).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
cd "$root"
exec "$root/build/lvperf" run "$@"
