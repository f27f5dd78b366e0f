#!/usr/bin/env bash
# Print the "Options of every command" section of docs/commands.md from
# the code: each command's and subcommand's --help. With --write, replace
# that section (the file's end) in docs/commands.md.
# Usage: scripts/docs-options.sh LVPERF [--write]
set -euo pipefail
lvperf=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
doc=$root/docs/commands.md

section() {
	printf '## Options of every command\n\nThe output of `lvperf COMMAND --help` for each command, as this tree builds\nit; `scripts/docs-options.sh build/lvperf --write` regenerates this section\nand `tests/test_help.sh` fails when it differs from the code.\n'
	"$lvperf" help --list | while read -r -a cmd; do
		# A subcommand whose help is its command's (stats TEST) is not repeated.
		if [ ${#cmd[@]} -gt 1 ] && [ "$("$lvperf" "${cmd[@]}" --help)" = "$("$lvperf" "${cmd[0]}" --help)" ]; then
			continue
		fi
		printf '\n### `lvperf %s` options\n\n```\n' "${cmd[*]}"
		"$lvperf" "${cmd[@]}" --help
		printf '```\n'
	done
}

if [ "${2:-}" = --write ]; then
	head=$(awk '/^## Options of every command$/ { exit } { print }' "$doc")
	{ printf '%s\n' "$head"; section; } >"$doc.tmp"
	mv "$doc.tmp" "$doc"
else
	section
fi
