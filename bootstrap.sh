#!/usr/bin/env bash
# Conext Studio set-up, for a fresh Debian (or Ubuntu) machine with Python 3.11+.
#   ./bootstrap.sh start   create the environment, install, open the studio on the demo library
#   ./bootstrap.sh test    create the environment, install (with the test tools), run every test
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-start}"
case "$mode" in start|test) ;; *) echo "usage: ./bootstrap.sh start|test" >&2; exit 2 ;; esac

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: Conext Studio needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)." >&2
  exit 2
fi

# Debian libraries Qt needs (offscreen and on an X11/XCB desktop), QtMultimedia for the viewer's
# sound (libpulse0; its FFmpeg backend plugin: libxrandr2 libxext6 libdrm2), and venv itself.
debs=(libegl1 libgl1 libglx0 libglvnd0 libopengl0 libfontconfig1 libfreetype6 libxkbcommon0 libglib2.0-0
      libdbus-1-3 libx11-6 libxcb1 libx11-xcb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
      libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
      libxcb-xinerama0 libxcb-xfixes0 libpulse0 libxrandr2 libxext6 libdrm2 e2fsprogs)
# the sound tests play into a private null sink; the team-library tests use a real PostgreSQL server
[ "$mode" = test ] && debs+=(pulseaudio postgresql)
"$python" -c 'import ensurepip, venv' 2>/dev/null || debs+=(python3-venv)
if command -v dpkg-query >/dev/null; then
  missing=()
  for deb in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "Installing Debian packages Qt needs: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "Qt needs these Debian packages. Install them, then run this command again:" >&2
      echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
  fi
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [ "$mode" = test ]; then extras="[gpu,test]"; else extras=""; fi
echo "Installing Conext Studio$extras into .venv (the first time takes a few minutes)…"
.venv/bin/python -m pip install -q --upgrade pip 2> >(grep -v "is ignored" >&2)
# torch==2.13.0 resolves to the CPU wheel here; an unpinned torch would pull GBs of CUDA packages.
.venv/bin/python -m pip install -q -e ".$extras" 2> >(grep -v "is ignored" >&2)
# OCR models for text in images ship inside rapidocr; --no-deps keeps its opencv-python out
# (a second OpenCV beside our headless one breaks cv2). What it imports is in pyproject.toml.
.venv/bin/python -m pip install -q --no-deps "rapidocr-onnxruntime==1.4.4" 2> >(grep -v "is ignored" >&2)

if [ "$mode" = test ]; then
  export QT_QPA_PLATFORM=offscreen
  .venv/bin/lint-imports --no-cache
  [ -n "${STUDIO_TEST_POSTGRES:-}" ] || export STUDIO_TEST_POSTGRES="$(tests/start-postgres.sh)"
  # one worker per core; a test file's tests stay on one worker (module fixtures, gRPC's roots file)
  .venv/bin/python -m pytest -n auto --dist loadfile "${@:2}"
  if [ $# -le 1 ]; then  # the whole run: the core suite once more, on team libraries on the server
    echo "The core tests again, on a team library (PostgreSQL at ${STUDIO_TEST_POSTGRES%%@*}@…):"
    STUDIO_TEST_BACKEND=postgresql exec .venv/bin/python -m pytest -n auto --dist loadfile tests/core
  fi
  exit 0
fi

demo="$(.venv/bin/python -c 'from studio.core.paths import default_library_dir; print(default_library_dir().parent / "Demo Library")')"
.venv/bin/studio demo --library "$demo"
exec .venv/bin/studio --library "$demo"
