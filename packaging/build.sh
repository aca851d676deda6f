#!/usr/bin/env bash
# Builds the one-folder app into DIST/conext-studio with the current environment's python.
# Usage: packaging/build.sh [DIST] [WORK]   (defaults: dist/ and build/ in the checkout)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${1:-$ROOT/dist}"
WORK="${2:-$ROOT/build}"
# the current virtualenv's python (or the checkout's .venv), unless PYTHON says otherwise
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -n "${VIRTUAL_ENV:-}" ]]; then PYTHON="$VIRTUAL_ENV/bin/python"
    elif [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"
    else PYTHON=python3; fi
fi
cd "$ROOT"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/conext-studio.spec
# the desktop entry and icons travel with the app, for installers to put in place
cp packaging/conext-studio.desktop packaging/icons/conext-studio.svg packaging/icons/conext-studio.png "$DIST/conext-studio/"
echo "Built $DIST/conext-studio/conext-studio"
