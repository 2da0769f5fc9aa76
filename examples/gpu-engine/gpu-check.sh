#!/usr/bin/env bash
# Real-GPU check: tunefleet on this host's GPUs, end to end, with a custom engine that does real GPU
# work (torch_engine.py). Run from the repository root on a host with an NVIDIA GPU, PyTorch and Java:
#
#   examples/gpu-engine/gpu-check.sh [OUT_DIR]
#
# 1. records what nvidia-smi prints here (the queries the worker runs, idle and with a process on the GPU);
# 2. starts a foreign process holding memory on GPU 0, then `tunefleet standalone --gpus nvidia-smi`
#    (coordinator, embedded broker, one worker on this host's GPUs) and submits task.json: the worker
#    must leave GPU 0 alone while the foreign process lives;
# 3. ends the foreign process: the 1-GPU experiments must run, the 2-GPU ones are unschedulable on a
#    1-GPU host; each engine must have seen exactly one GPU, nvidia-smi's GPU 0 on a 1-GPU host, and
#    telemetry its memory; afterwards every GPU is free.
# Everything it saw goes to OUT_DIR (default /tmp/tunefleet-gpu-check); it exits 1 if a check failed.
# TUNEFLEET names the command that runs tunefleet (default ./tunefleet); NVIDIA_SMI the binary.
set -uo pipefail
out="${1:-/tmp/tunefleet-gpu-check}"
tf="${TUNEFLEET:-./tunefleet}"
smi="${NVIDIA_SMI:-nvidia-smi}"
port="${PORT:-18080}"
api="http://127.0.0.1:$port"
mkdir -p "$out"
touch "$out/.started"
failures=0
check() { # check NAME CONDITION-COMMAND...
  local name="$1"; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
query() { "$smi" --query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu --format=csv,noheader,nounits; }
apps() { "$smi" --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits; }
sample() { "$smi" --query-gpu=index,utilization.gpu,memory.used,power.draw --format=csv,noheader,nounits; }

echo "== nvidia-smi, idle"
"$smi" > "$out/nvidia-smi.txt" 2>&1
"$smi" -L > "$out/nvidia-smi-L.txt" 2>&1
"$smi" topo -m > "$out/topo-m.txt" 2>&1
query > "$out/query-gpu-idle.csv" 2>&1
apps > "$out/compute-apps-idle.csv" 2>&1
cat "$out/query-gpu-idle.csv" "$out/topo-m.txt"
uuid="$(head -1 "$out/query-gpu-idle.csv" | cut -d, -f2 | tr -d ' ')"
gpus="$(grep -c . "$out/query-gpu-idle.csv")"

echo "== a foreign process holds 8 GiB of GPU 0"
python3 -c '
import torch, time, sys
x = torch.empty(8 << 30, dtype=torch.uint8, device="cuda:0"); torch.cuda.synchronize()
print("holding", flush=True); time.sleep(600)' > "$out/foreign.log" 2>&1 &
foreign=$!
trap 'kill $foreign ${stack:-} 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 60); do grep -q holding "$out/foreign.log" && break; sleep 0.5; done
query > "$out/query-gpu-foreign.csv" 2>&1
apps > "$out/compute-apps-foreign.csv" 2>&1
cat "$out/query-gpu-foreign.csv" "$out/compute-apps-foreign.csv"

echo "== tunefleet standalone --gpus nvidia-smi"
rm -f "$out/tunefleet.db"*
$tf standalone --gpus nvidia-smi --nvidia-smi "$smi" --port "$port" --db "$out/tunefleet.db" \
  > "$out/standalone.log" 2>&1 &
stack=$!
for _ in $(seq 120); do
  kill -0 "$stack" 2>/dev/null || { echo "tunefleet standalone did not start:"; tail -20 "$out/standalone.log"; exit 1; }
  curl -sf "$api/api/workers" > /dev/null && break
  sleep 1
done
curl -sf "$api/api/workers" > /dev/null || { echo "tunefleet standalone did not answer in 120 s"; exit 1; }
sleep 3 # the first heartbeat
$tf workers --coordinator "$api" | tee "$out/workers-foreign.txt"
task="$($tf submit examples/gpu-engine/task.json --coordinator "$api" | tee "$out/submit.txt" | grep -o 'task [0-9]*' | head -1 | cut -d' ' -f2)"
[ -n "$task" ] || { echo "the task was not submitted:"; cat "$out/submit.txt"; exit 1; }
echo "task $task"
sleep 15
curl -s "$api/api/tasks/$task/experiments" > "$out/experiments-while-foreign.json"
$tf show "$task" --coordinator "$api" | tee "$out/show-while-foreign.txt"
curl -s "$api/api/workers" > "$out/workers-foreign.json"
check "the worker counts the foreign process's GPU as not free" python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))[0]
sys.exit(not (w["gpusTotal"] >= 1 and w["gpusFree"] == w["gpusTotal"] - 1 and w["running"] == 0))' "$out/workers-foreign.json"
check "nothing ran on the busy GPU 0" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
sys.exit(any(0 in (r.get("gpuIndices") or []) for r in rows))' "$out/experiments-while-foreign.json"

echo "== the foreign process ends"
kill "$foreign"; wait "$foreign" 2>/dev/null
start=$(date +%s)
while :; do
  state="$(curl -s "$api/api/tasks/$task" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("status",""))')"
  case "$state" in COMPLETED|FAILED|CANCELLED|STOPPED) break ;; esac
  [ $(( $(date +%s) - start )) -gt 300 ] && { echo "task still $state after 300 s"; break; }
  sample >> "$out/telemetry-during-run.csv" 2>&1
  apps >> "$out/compute-apps-during-run.csv" 2>&1
  sleep 2
done
$tf show "$task" --coordinator "$api" | tee "$out/show.txt"
$tf export "$task" --format json --output "$out/experiments.json" --coordinator "$api"
$tf workers --coordinator "$api" | tee "$out/workers-after.txt"
query > "$out/query-gpu-after.csv" 2>&1
apps > "$out/compute-apps-after.csv" 2>&1
# This run's engine logs: written since the check started. Task ids start again with each fresh
# database and a log file is appended to, so each file's last start is this run's.
: > "$out/engine-logs.txt"; : > "$out/engine-devices.txt"
for f in $(find /tmp/tunefleet-engine-logs/"task-$task" -name '*.log' -newer "$out/.started" 2>/dev/null); do
  cat "$f" >> "$out/engine-logs.txt"
  grep -h "torch_engine: {" "$f" | tail -1 >> "$out/engine-devices.txt"
done

check "the 1-GPU experiments completed" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
done = [r for r in rows if str(r.get("parameters", {}).get("tp-size")) == "1" and r.get("state") == "SUCCEEDED"]
sys.exit(len(done) != 2)' "$out/experiments.json"
if [ "$gpus" -eq 1 ]; then
  check "the 2-GPU experiments are unschedulable on a 1-GPU host" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
sys.exit(not all(r.get("failureClass") == "UNSCHEDULABLE" for r in rows if str(r.get("parameters", {}).get("tp-size")) == "2"))' \
    "$out/experiments.json"
fi
check "each engine saw exactly one GPU, the one nvidia-smi lists ($uuid)" python3 -c '
import json, sys
seen = [json.loads(l.split("torch_engine: ", 1)[1]) for l in open(sys.argv[1]) if l.strip()]
sys.exit(not seen or not all(d["device_count"] == 1 and d.get("uuid") in (None, sys.argv[2]) for d in seen))' \
  "$out/engine-devices.txt" "$uuid"
check "telemetry saw the engine's memory on the GPU" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
used = [r.get("metrics", {}).get("gpu_memory_used_max_mib") or 0 for r in rows if r.get("state") == "SUCCEEDED"]
sys.exit(not used or min(used) < 6 * 1024)' "$out/experiments.json"
sleep 3 # a heartbeat after the last release
curl -s "$api/api/workers" > "$out/workers-after.json"
check "every GPU is free again" python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))[0]
sys.exit(w["gpusFree"] != w["gpusTotal"])' "$out/workers-after.json"
echo "$failures check(s) failed; files in $out"
exit $(( failures > 0 ))
