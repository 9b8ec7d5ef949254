#!/usr/bin/env bash
# A Python venv with eemeter for services/indicators/effect/eemeter.test.ts, cached:
# installed once into $1 (default ~/.cache/klimatpuls/venv-eemeter), reused while
# requirements-eemeter.txt is unchanged. Prints the venv's python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-${HOME}/.cache/klimatpuls/venv-eemeter}"
req="$here/requirements-eemeter.txt"
stamp="$venv/.requirements"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$req" "$stamp"; then
  command -v python3 >/dev/null || { echo "setup-eemeter: python3 is needed (apt-get install python3 python3-venv)" >&2; exit 1; }
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  cp "$req" "$stamp"
fi
# The first import compiles eemeter's numba functions (about a minute); do it here, not in the test.
(cd /tmp && "$venv/bin/python" -c 'import eemeter.eemeter' >/dev/null 2>&1) || { echo "setup-eemeter: eemeter does not import in $venv" >&2; exit 1; }
echo "$venv/bin/python"
