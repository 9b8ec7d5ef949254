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
(cd /tmp && "$venv/bin/python" -c 'import eemeter.eemeter' >/dev/null 2>&1) || { echo "setup-eemeter: eemeter does not import in $venv" >&2; exit 1; }
# The first fit compiles eemeter's numba functions into their cache (2-3 minutes on 2 cores): do it
# here, once, on a small synthetic year, so that the test's fits take seconds.
if [[ ! -f "$venv/.warm" ]] || ! cmp -s "$req" "$venv/.warm"; then
  csv="$(mktemp)"
  "$venv/bin/python" - "$csv" <<'PY'
import datetime, math, sys
with open(sys.argv[1], "w") as f:
    f.write("day,period,temperature_c,kwh\n")
    for i in range(500):
        t = 6 - 10 * math.cos(2 * math.pi * (i - 15) / 365) + 2 * math.sin(i * 1.7)
        day = datetime.date(2023, 1, 1) + datetime.timedelta(days=i)
        f.write(f"{day},{'baseline' if i < 365 else 'reporting'},{t},{200 + 15 * max(0, 15.5 - t) + 10 * math.sin(i * 3.1)}\n")
PY
  (cd /tmp && "$venv/bin/python" "$here/eemeter_daily.py" "$csv" >/dev/null) || { rm -f "$csv"; echo "setup-eemeter: eemeter_daily.py failed in $venv" >&2; exit 1; }
  rm -f "$csv"
  cp "$req" "$venv/.warm"
fi
echo "$venv/bin/python"
