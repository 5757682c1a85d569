#!/usr/bin/env bash
# Peer tools for the benchmarks, each in its own virtualenv under benchmarks/.venvs/<name> (ignored by git through
# benchmarks/.venvs/.gitignore, which this script writes), so their pins never touch the project venv.
#
#   bash benchmarks/setup_peers.sh            # every peer
#   bash benchmarks/setup_peers.sh datatrove  # only the named ones
#
# Idempotent: a venv whose stamp file matches its requirement line is left alone. To add a peer, add one line to
# PEERS ("name|pip requirements..."); the rest is generic.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/.venvs"
PYTHON="${PEER_PYTHON:-python3}"

PEERS=(
  # datatrove 0.10.1, used by three benchmarks:
  # - bench_web.py: WarcReader (warcio, cchardet, python-magic) + Trafilatura extractor (trafilatura comes with
  #   [processing]; justext needs lxml_html_clean with lxml >= 5.2);
  # - bench_curate.py: its filters, whose Arabic word tokenizer is spaCy's;
  # - bench_dedup.py: its 4-stage MinHash dedup (JsonlReader reads with orjson).
  "datatrove|datatrove[processing]==0.10.1 warcio faust-cchardet python-magic lxml_html_clean spacy orjson"
  # bench_dedup.py: text-dedup's MinHash. 0.4.0 pins pandas 3 and pyspark 4.3, hence its own venv.
  "textdedup|text-dedup==0.4.0"
)

mkdir -p "$ROOT"
[ -f "$ROOT/.gitignore" ] || printf '*\n' > "$ROOT/.gitignore"

want=("$@")
for entry in "${PEERS[@]}"; do
  name="${entry%%|*}"
  reqs="${entry#*|}"
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then
    continue
  fi
  venv="$ROOT/$name"
  stamp="$venv/.peer-requirements"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" == "$reqs" ]; then
    echo "peer $name: up to date ($venv)"
    continue
  fi
  echo "peer $name: installing $reqs into $venv"
  [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
  # shellcheck disable=SC2086 - the requirement line is a word list on purpose
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $reqs
  printf '%s' "$reqs" > "$stamp"
done
