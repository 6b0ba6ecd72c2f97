#!/usr/bin/env bash
# GPU check: on a machine with an accelerator, probe what onnxruntime-node can use (CUDA,
# WebGPU), then run `murmur generate` and the family generate/train benchmarks on each device
# that works, printing JSON lines only (one per measurement; `{"check":…}` lines for probes).
# Never run in CI. Usage, from the repo root after `npm ci` (add ONNXRUNTIME_NODE_INSTALL=cuda12
# to `npm ci` for CUDA; WebGPU is bundled and needs a Vulkan driver):
#   scripts/gpu-check.sh [--quick] [--no-bench]
# --quick: fewer repetitions and a smaller model (fits a few minutes of device time).
# --no-bench: probes and the generate check only.
set -uo pipefail
cd "$(dirname "$0")/.."
# the repo pins Node 22 through its `node` devDependency (the system node may be older)
export PATH="$PWD/node_modules/.bin:$PATH"

QUICK=0
BENCH=1
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    --no-bench) BENCH=0 ;;
    *) echo "usage: scripts/gpu-check.sh [--quick] [--no-bench]" >&2; exit 2 ;;
  esac
done
if [[ $QUICK == 1 ]]; then
  GEN_ARGS=(--reps 2 --tokens 16 --layers 4)
  TRAIN_ARGS=(--steps 4 --layers 4)
else
  GEN_ARGS=(--reps 5 --tokens 32)
  TRAIN_ARGS=(--steps 10)
fi

json() { printf '%s\n' "$1"; }

card="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)"
json "{\"check\":\"gpu\",\"nvidia_smi\":$( [[ -n "$card" ]] && printf '"%s"' "$card" || echo null ),\"vulkan\":$( ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 && echo true || echo false ),\"cores\":$(nproc)}"

npx tsc -b >/dev/null 2>&1 || { json '{"check":"build","ok":false}'; exit 1; }

# What onnxruntime-node can open here (the same probe `--device auto` uses).
probe="$(node --input-type=module -e "
import { ortDeviceProbe } from './packages/graph/dist/index.js'
const p = ortDeviceProbe()
console.log(JSON.stringify({ check: 'devices', cuda: await p.cuda(), webgpu: await p.webgpu() }))
" 2>/dev/null | tail -1)"
[[ -n "$probe" ]] || probe='{"check":"devices","error":"probe failed"}'
json "$probe"

devices=(cpu)
[[ "$probe" == *'"cuda":true'* ]] && devices+=(cuda)
[[ "$probe" == *'"webgpu":true'* ]] && devices+=(webgpu)

# A tiny Qwen2 folder: `murmur generate` on every device must give the CPU's greedy tokens.
fixture="$(mktemp -d)"
trap 'rm -rf "$fixture"' EXIT
node --input-type=module -e "
import { writeFamilyFixture } from './packages/policy/dist/index.js'
await writeFamilyFixture('$fixture/qwen2', { modelType: 'qwen2', seed: 7 })
" >/dev/null 2>&1
cpu_tokens=""
for d in "${devices[@]}"; do
  line="$(node apps/cli/dist/bin.js generate --model "$fixture/qwen2" --prompt '12+34=' --max-tokens 8 --temperature 0 --device "$d" --json 2>&1 | tail -1)"
  tokens="$(printf '%s' "$line" | sed -n 's/.*"tokens":\(\[[^]]*\]\).*/\1/p')"
  [[ "$d" == cpu ]] && cpu_tokens="$tokens"
  same=$([[ -n "$tokens" && "$tokens" == "$cpu_tokens" ]] && echo true || echo false)
  json "{\"check\":\"generate\",\"device\":\"$d\",\"tokens\":${tokens:-null},\"same_as_cpu\":$same}"
done

# Where a trainer keeps its weights and AdamW moments between steps on each accelerator
# (`device` = GPU buffers; onnxruntime-node returns CUDA outputs in host memory, so `host` there).
# (A file, not -e: the trainer's worker thread would inherit --input-type and refuse to start.)
cat > "$fixture/train-state.mjs" <<EOF
import { charTokenizer, initWeights, resolveGptConfig } from '$PWD/packages/policy/dist/index.js'
import { createTrainer } from '$PWD/packages/trainer/dist/index.js'
const device = process.argv[2]
const tokenizer = charTokenizer()
const config = resolveGptConfig({ nLayer: 2, nEmbd: 32, nHead: 4, vocabSize: tokenizer.vocabSize, nCtx: 32 })
const t = createTrainer({ config, weights: initWeights(config, 1), tokenizer, device })
const s = await t.train([{ prompt: '1+1=', completions: ['2', '3'], advantages: [1, -1] }])
console.log(JSON.stringify({ check: 'train-state', device, loss: s.loss, placement: await t.placement() }))
await t.close()
EOF
for d in "${devices[@]}"; do
  [[ "$d" == cpu ]] && continue
  line="$(node "$fixture/train-state.mjs" "$d" 2>/dev/null | tail -1)"
  if [[ -n "$line" ]]; then json "$line"; else json "{\"check\":\"train-state\",\"device\":\"$d\",\"ok\":false}"; fi
done

[[ $BENCH == 1 ]] || exit 0
for d in "${devices[@]}"; do
  node scripts/bench.js generate-hf --device "$d" "${GEN_ARGS[@]}" 2>/dev/null | grep '^{'
  node scripts/bench.js train-hf --device "$d" "${TRAIN_ARGS[@]}" 2>/dev/null | grep '^{'
done
