#!/usr/bin/env bash
# A hostile swarm of real processes (issue 19): one `murmur bootstrap` and NODES `murmur node`
# processes on loopback, the last ADVERSARIES of them attacking (`--adversary-strategy`, cycled over
# STRATEGIES), every node joining through the bootstrap's HTTP peer list as a public node would.
# When every node has stopped it prints and writes (OUT/summary.json) what the honest nodes got:
# mean sampled reward, held-out greedy accuracy before and after, the adversary's marker in their own
# samples, rounds that never reported, and exit codes.
#
# usage: scripts/adversarial-nodes.sh [OUT]        (default OUT: out/adversarial-nodes)
# env:   NODES=10 ADVERSARIES=3 ROUNDS=200 STRATEGIES=wrong,marker,long HTTP_PORT=4380
#        EXTRA="…" (more flags for every node, e.g. "--trust-enabled false" to measure without the defence)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/adversarial-nodes}
NODES=${NODES:-10}
ADVERSARIES=${ADVERSARIES:-3}
ROUNDS=${ROUNDS:-200}
STRATEGIES=${STRATEGIES:-wrong,marker,long}
HTTP_PORT=${HTTP_PORT:-4380}
EXTRA=${EXTRA:-}
if [ "$ADVERSARIES" -ge "$NODES" ]; then echo "adversarial-nodes: ADVERSARIES ($ADVERSARIES) must be below NODES ($NODES)" >&2; exit 2; fi
MURMUR=(node apps/cli/bin/murmur.js)

rm -rf "$OUT"
mkdir -p "$OUT"
pids=()
stop_all () { kill "${pids[@]}" 2>/dev/null || true; }
trap stop_all EXIT INT TERM

"${MURMUR[@]}" bootstrap --swarm-id adversarial --listen /ip4/127.0.0.1/tcp/0 --http-host 127.0.0.1 --http-port "$HTTP_PORT" \
  --data-dir "$OUT/bootstrap" --json > "$OUT/bootstrap.jsonl" 2> "$OUT/bootstrap.err" &
pids+=($!)
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$HTTP_PORT/health" > /dev/null; then break; fi
  if ! kill -0 "${pids[0]}" 2> /dev/null; then echo "adversarial-nodes: the bootstrap exited; see $OUT/bootstrap.err" >&2; exit 1; fi
  sleep 1
done
curl -sf "http://127.0.0.1:$HTTP_PORT/health" > /dev/null || { echo "adversarial-nodes: bootstrap not healthy after 120 s" >&2; exit 1; }

IFS=, read -ra strategies <<< "$STRATEGIES"
node_pids=()
started=$(date +%s)
for i in $(seq 0 $((NODES - 1))); do
  attack=()
  if [ "$i" -ge $((NODES - ADVERSARIES)) ]; then
    attack=(--adversary-strategy "${strategies[$(( (i - (NODES - ADVERSARIES)) % ${#strategies[@]} ))]}")
  fi
  # shellcheck disable=SC2086 # EXTRA is a list of flags
  "${MURMUR[@]}" node --data-dir "$OUT/node-$i" --seed $((1000 * (i + 1))) --rounds "$ROUNDS" \
    --net-swarm-id adversarial --net-bootstrap-urls "http://127.0.0.1:$HTTP_PORT/bootstrap" \
    --net-inbound-per-host-per-second 1000 --eval-every 0 --eval-samples 0 --checkpoint-every 1000 --json "${attack[@]}" $EXTRA \
    > "$OUT/node-$i.jsonl" 2> "$OUT/node-$i.err" &
  pids+=($!)
  node_pids+=($!)
done
echo "adversarial-nodes: $NODES nodes ($ADVERSARIES adversarial: ${STRATEGIES}) × $ROUNDS rounds; logs in $OUT" >&2

codes=()
for p in "${node_pids[@]}"; do
  if wait "$p"; then codes+=(0); else codes+=($?); fi
done
elapsed=$(( $(date +%s) - started ))
kill "${pids[0]}" 2> /dev/null || true

node --input-type=module - "$OUT" "$NODES" "$ADVERSARIES" "$ROUNDS" "$elapsed" "${codes[*]}" << 'EOF'
import { readFileSync, writeFileSync } from 'node:fs'
const [out, nodes, adversaries, rounds, elapsed, codes] = process.argv.slice(2)
const exit = codes.split(' ').map(Number)
const mean = xs => xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length
const perNode = []
for (let i = 0; i < Number(nodes); i++) {
  const lines = readFileSync(`${out}/node-${i}.jsonl`, 'utf8').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l))
  const roundLines = lines.filter(l => l.type === 'round')
  const evals = lines.filter(l => l.type === 'eval')
  perNode.push({
    node: i,
    adversarial: i >= Number(nodes) - Number(adversaries),
    exitCode: exit[i],
    roundsReported: new Set(roundLines.map(l => l.round)).size,
    reward: mean(roundLines.map(l => l.reward)),
    heldOutStart: evals.find(l => l.phase === 'start')?.accuracy ?? null,
    heldOutEnd: evals.find(l => l.phase === 'end')?.accuracy ?? null,
    markerInOwnSamples: mean(roundLines.map(l => l.attackMarker ?? 0)),
    peerGroupsUsedPerRound: mean(roundLines.map(l => l.peerGroupsUsed ?? 0)),
    receivedPerRound: mean(roundLines.map(l => l.received ?? 0))
  })
}
const honest = perNode.filter(n => !n.adversarial)
const summary = {
  nodes: Number(nodes),
  adversaries: Number(adversaries),
  rounds: Number(rounds),
  elapsedSeconds: Number(elapsed),
  honest: {
    reward: mean(honest.map(n => n.reward)),
    heldOutStart: mean(honest.map(n => n.heldOutStart)),
    heldOutEnd: mean(honest.map(n => n.heldOutEnd)),
    markerInOwnSamples: mean(honest.map(n => n.markerInOwnSamples)),
    failedRounds: honest.reduce((a, n) => a + Number(rounds) - n.roundsReported, 0),
    nonZeroExits: honest.filter(n => n.exitCode !== 0).length
  },
  perNode
}
writeFileSync(`${out}/summary.json`, JSON.stringify(summary, null, 2) + '\n')
console.log(JSON.stringify(summary.honest))
for (const n of perNode) console.log(`node ${n.node}${n.adversarial ? ' (adversary)' : ''}: exit ${n.exitCode}, rounds ${n.roundsReported}, reward ${n.reward.toFixed(3)}, held-out ${n.heldOutStart} → ${n.heldOutEnd}, marker ${(100 * n.markerInOwnSamples).toFixed(2)} %, peer groups used/round ${n.peerGroupsUsedPerRound.toFixed(2)}, received/round ${n.receivedPerRound.toFixed(1)}`)
EOF
