#!/usr/bin/env bash
# Refreshes the charting library the report embeds: installs the version pinned by package.json
# and package-lock.json from the npm registry, then copies its single minified browser build into
# vendor/. The build only reads vendor/ (no network at build time or when a report opens); run this
# after changing the pinned version and commit vendor/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
npm ci --ignore-scripts --no-audit --no-fund
mkdir -p vendor
cp node_modules/chart.js/dist/chart.umd.min.js vendor/chart.umd.min.js
cp node_modules/chart.js/LICENSE.md vendor/chart.js.LICENSE.md
echo "vendored chart.js $(node -p 'require("./node_modules/chart.js/package.json").version')"
