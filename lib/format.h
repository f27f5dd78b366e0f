/* SPDX-License-Identifier: BSD-3-Clause
 * The version of lvperf's file and JSON formats (docs/raw-format.md):
 * every raw file line (points.jsonl, calibration.jsonl), run.json and
 * every command's JSON output carry it as "format". It goes up by one
 * when a key changes meaning or goes away; added keys do not change it.
 */
#ifndef LVP_FORMAT_H
#define LVP_FORMAT_H

/* Format 1: the files before the key existed (no "format" in them). */
#define LVP_FORMAT 2

#endif
