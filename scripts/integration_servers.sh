#!/usr/bin/env bash
# Runs a command with two real servers on 127.0.0.1, then stops them:
#   - an MLflow tracking server (mlflow==3.17.2, SQLite backend, proxied
#     artifacts in a temp dir, the `mlflow server` default --serve-artifacts),
#   - scripts/webhook_sink.py, which appends each POST body to a JSON-lines file.
# Exports MLFLOW_TEST_URI, WEBHOOK_TEST_URL and WEBHOOK_SINK_FILE for the command.
#
#   bash scripts/integration_servers.sh cargo test --test it integrations
#
# The MLflow venv is created once and reused: $RELEASE_GATE_MLFLOW_VENV
# (default .ci/.venv-mlflow under the repository). Needs python3 only.
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
mlflow_version="3.17.2"
venv="${RELEASE_GATE_MLFLOW_VENV:-$root/.ci/.venv-mlflow}"
if ! "$venv/bin/python" -c "import mlflow, sys; sys.exit(mlflow.__version__ != '$mlflow_version')" 2>/dev/null; then
  echo "integration_servers: installing mlflow==$mlflow_version into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "mlflow==$mlflow_version"
fi

tmp="$(mktemp -d)"
mlflow_pid=""
sink_pid=""
# shellcheck disable=SC2329 # invoked by the trap below
cleanup() {
  for pid in $mlflow_pid $sink_pid; do
    # The whole process group: `mlflow server` runs uvicorn workers.
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  done
  for pid in $mlflow_pid $sink_pid; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
  "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Each server in its own process group (set -m), so cleanup can end its children.
port="$(free_port)"
set -m
"$venv/bin/mlflow" server --host 127.0.0.1 --port "$port" --workers 1 \
  --backend-store-uri "sqlite:///$tmp/mlflow.db" \
  --artifacts-destination "$tmp/artifacts" \
  >"$tmp/mlflow.log" 2>&1 &
mlflow_pid=$!
"$venv/bin/python" "$root/scripts/webhook_sink.py" "$tmp/sink.port" "$tmp/sink.jsonl" \
  >"$tmp/sink.log" 2>&1 &
sink_pid=$!
set +m

# MLflow's first start migrates the SQLite schema: allow two minutes.
for _ in $(seq 1 240); do
  if "$venv/bin/python" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=2)" 2>/dev/null \
    && [ -s "$tmp/sink.port" ]; then
    break
  fi
  if ! kill -0 "$mlflow_pid" 2>/dev/null; then
    echo "integration_servers: mlflow server exited; its log:" >&2
    cat "$tmp/mlflow.log" >&2
    exit 2
  fi
  sleep 0.5
done
if ! [ -s "$tmp/sink.port" ]; then
  echo "integration_servers: the servers did not come up; mlflow log:" >&2
  cat "$tmp/mlflow.log" >&2
  exit 2
fi

export MLFLOW_TEST_URI="http://127.0.0.1:$port"

# Warm MLflow up one request at a time before the tests run theirs in
# parallel: its first run search imports `mlflow.server.auth` (and its
# SQLAlchemy models) while the first registry request configures every
# mapper, and when the two overlap in the server's threads the registry
# request fails with HTTP 500 ("SqlUserRoleAssignment is not defined";
# seen with mlflow 3.17.2 and SQLAlchemy 2.1).
"$venv/bin/python" - "$MLFLOW_TEST_URI" <<'EOF'
import json, sys, urllib.request
base = sys.argv[1]
for path, body in [
    ("/api/2.0/mlflow/runs/search", {"experiment_ids": ["0"], "max_results": 1}),
    ("/api/2.0/mlflow/registered-models/search", None),
]:
    if body is None:
        req = urllib.request.Request(base + path + "?max_results=1")
    else:
        req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        r.read()
EOF

sink_port="$(cat "$tmp/sink.port")"
export WEBHOOK_TEST_URL="http://127.0.0.1:$sink_port"
export WEBHOOK_SINK_FILE="$tmp/sink.jsonl"
touch "$WEBHOOK_SINK_FILE"
echo "integration_servers: MLflow $mlflow_version at $MLFLOW_TEST_URI, webhook sink at $WEBHOOK_TEST_URL" >&2

set +e
"$@"
code=$?
set -e
if [ "$code" -ne 0 ] && [ -s "$tmp/mlflow.log" ]; then
  echo "integration_servers: the command failed ($code); last lines of the mlflow log:" >&2
  tail -n 30 "$tmp/mlflow.log" >&2
fi
exit "$code"
