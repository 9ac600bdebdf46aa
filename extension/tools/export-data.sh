#!/usr/bin/env bash
# Regenerate the data the extension ships, from one snapshot of the dataset, so they always agree:
#   extension/data/index.json   hosts, rules and per-platform summaries (GET /api/v1/index)
#   extension/data/export.json  the whole published record, compact (GET /api/v1/export.json)
# then the manifest's host permissions (sync-manifest.mjs).
#   bash extension/tools/export-data.sh            from server/data/dataset
#   BTF_SEED_DIR=/some/dataset bash extension/tools/export-data.sh
# The service writes export.json into its public folder on every publish; this takes it from a
# throw-away data folder seeded from the dataset files.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BTF_BIN:-.venv/bin/behind-the-feed}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
env -u BTF_DATABASE_URL BTF_DATA_DIR="$work" BTF_PUBLIC_DIR="$work/public" \
  "$BIN" export-index extension/data/index.json
cp "$work/public/export.json" extension/data/export.json
node extension/tools/sync-manifest.mjs
printf 'extension/data/export.json: %s bytes, %s gzip\n' \
  "$(wc -c <extension/data/export.json)" "$(gzip -9 -c extension/data/export.json | wc -c)"
