/**
 * Every key of a node's configuration, its default and its allowed range. Defaults run a node
 * with no config at all: the built-in tiny policy and reward model, verifier rewards, I/J = 4/4.
 *
 * One owner per setting: a key that configures a package (net, store, policy, rewards, trainer,
 * tasks) or a module of this one has its owner's name for it and takes its owner's exported
 * default, so editing that default changes what `murmur node` does (test/config.test.ts checks
 * every key). Only the node's own settings (seed, rounds, I/J/G, …) have literal defaults here.
 */
import {
  DEFAULT_GROUP_BURST, DEFAULT_GROUPS_PER_SECOND, DEFAULT_HEARTBEAT_MS, DEFAULT_INBOUND_PER_HOST_PER_SECOND, DEFAULT_INBOUND_QUEUE,
  DEFAULT_INBOUND_QUEUE_PER_NEIGHBOUR, DEFAULT_LISTEN, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_SEEN_GROUPS, DEFAULT_MDNS, DEFAULT_MIN_PEERS,
  DEFAULT_MESH_DEGREE, DEFAULT_MESH_DEGREE_HIGH, DEFAULT_MESH_DEGREE_LOW,
  DEFAULT_NEIGHBOUR_BURST, DEFAULT_NEIGHBOUR_GROUPS_PER_SECOND, DEFAULT_NEW_ORIGIN_BURST, DEFAULT_NEW_ORIGINS_PER_MINUTE,
  DEFAULT_REPLAY_WINDOW_MS, DEFAULT_RESERVED_OUTBOUND, DEFAULT_SEEN_TTL_MS, DEFAULT_SHARD_COUNT, DEFAULT_SHARDS_READ, DEFAULT_SWARM_ID, MAX_SHARDS
} from '@murmur/net'
import { DEVICES } from '@murmur/graph'
import { DEFAULT_LORA_TARGETS, DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_K, DEFAULT_TOP_P } from '@murmur/policy'
import {
  ADVANTAGE_MODES, DEFAULT_FILTER_ZERO_VARIANCE, DEFAULT_HERO_ALPHA, DEFAULT_HERO_BETA, DEFAULT_HERO_K, DEFAULT_HERO_W_MAX, DEFAULT_HERO_W_MIN,
  DEFAULT_HERO_WEIGHTING, DEFAULT_SHAPER, SHAPERS
} from '@murmur/rewards'
import { constants as storeConstants } from '@murmur/store'
import { DEFAULT_CURRICULUM } from '@murmur/tasks'
import { AGGREGATIONS, TRAINER_DEFAULTS } from '@murmur/trainer'
import { ATTACK_STRATEGIES } from '../attack.js'
import { DEFAULT_EVAL_SAMPLES } from '../evaluation.js'
import { DEFAULT_IMPORTANCE } from '../importance.js'
import { DEFAULT_MODEL, DEFAULT_REWARD_MODEL } from '../model.js'
import { DEFAULT_TRUST } from '../receive.js'
import { DEFAULT_MAX_STALENESS } from '../staleness.js'
import type { Schema } from './fields.js'
import { DEFAULT_LR_DECAY, LR_DECAYS } from './lr-decay.js'

// @murmur/metrics' DEFAULT_HOST (metrics depends on this package, so the value is repeated here;
// apps/cli's config test checks they agree).
const LOOPBACK = '127.0.0.1'
// G: the node's own setting; the default minibatch (in groups) is the trainer's in sequences over G.
const DEFAULT_GROUP_SIZE = 8

/** The node configuration schema (dotted keys). */
export const NODE_CONFIG_SCHEMA = {
  dataDir: { kind: 'string', default: '.murmur/node', doc: 'directory for identity, database and checkpoints' },
  seed: { kind: 'int', default: 0, min: 0, max: 2 ** 32 - 1, doc: 'seed of task sampling, generation and initialization; unset, murmur node with networking on derives it from its peer id (SHA-256, first 4 bytes), else 0' },
  rounds: { kind: 'int', default: 200, min: 0, doc: 'rounds to run (0 = until stopped)' },
  localGroups: { kind: 'int', default: 4, min: 0, max: 256, doc: 'I: local groups (prompts) generated and trained on per round' },
  peerGroups: { kind: 'int', default: 4, min: 0, max: 256, doc: 'J: peer groups sampled from the pool per round' },
  groupSize: { kind: 'int', default: DEFAULT_GROUP_SIZE, min: 2, max: 64, doc: 'G: completions per prompt' },
  device: { kind: 'string', default: 'cpu', choices: DEVICES, doc: 'where onnxruntime sessions run: auto (CUDA if its provider is installed, else WebGPU if an adapter exists, else CPU), cpu, cuda or webgpu' },
  chatTemplate: { kind: 'bool', default: false, doc: "wrap every prompt as one user turn of the model's chat template (Hugging Face folders that have one; instruct models on text-format tasks)" },
  model: { kind: 'string', default: DEFAULT_MODEL, doc: 'policy: "builtin:tiny", a safetensors file or a model folder' },
  rewardModel: { kind: 'string', default: DEFAULT_REWARD_MODEL, doc: 'reward model: "builtin:tiny-rm", an ONNX/safetensors path, or "none"' },
  // The families where the shipped tiny policy starts in the learnable middle (≈ 25–60 % sampled);
  // measured: RL on this mix raises sampled reward within ~100 rounds, while the full default
  // mix (2-digit addition at 12 %, reversal at 0 %) stays flat for 150 rounds (docs/results.md).
  taskMix: { kind: 'weights', default: { basic_arithmetic: 1, base_conversion: 1, fraction_simplification: 1, sort_digits: 1 }, doc: 'task families and weights, e.g. add=3,sort_digits=1 (empty = the tasks package\'s default mix)' },
  taskDifficulty: { kind: 'weights', default: {}, doc: 'difficulty level per family (0 = easiest; families with levels: add, basic_arithmetic, base_conversion, fraction_simplification, sort_digits, reverse), e.g. sort_digits=2' },
  modelId: { kind: 'string', default: '', doc: 'model id announced with published groups (default: derived from the model)' },

  'net.enabled': { kind: 'bool', default: true, doc: 'join the swarm (false = train alone, no networking)' },
  'net.swarmId': { kind: 'string', default: DEFAULT_SWARM_ID, doc: 'swarm id; nodes with different ids never exchange rollouts' },
  'net.listen': { kind: 'list', default: DEFAULT_LISTEN, doc: 'multiaddrs to listen on' },
  'net.bootstrap': { kind: 'list', default: [], doc: 'multiaddrs of bootstrap peers (tried together, again whenever peers run low)' },
  'net.bootstrapUrls': { kind: 'list', default: [], doc: 'URLs of bootstrap peer lists (GET /bootstrap of murmur bootstrap)' },
  'net.minPeers': { kind: 'int', default: DEFAULT_MIN_PEERS, min: 1, max: 1000, doc: 're-bootstrap while fewer swarm peers than this are connected' },
  'net.public': { kind: 'bool', default: false, doc: 'public swarm: never announce or dial private addresses; AutoNAT on' },
  'net.relay': { kind: 'bool', default: false, doc: 'behind NAT: hold a relay reservation and upgrade relayed connections by DCUtR hole punching' },
  'net.announce': { kind: 'list', default: [], doc: 'multiaddrs to announce instead of the listen addresses (public IP, port forwarding)' },
  'net.mdns': { kind: 'bool', default: DEFAULT_MDNS, doc: 'discover peers on the LAN with mDNS' },
  'net.dht': { kind: 'bool', default: false, doc: 'run the Kademlia DHT (public swarms)' },
  'net.pskFile': { kind: 'string', default: '', doc: 'pre-shared key file of a private swarm (libp2p pnet)' },
  'net.maxConnections': { kind: 'int', default: DEFAULT_MAX_CONNECTIONS, min: 1, max: 10000, doc: 'connection limit' },
  'net.inboundPerHostPerSecond': { kind: 'int', default: DEFAULT_INBOUND_PER_HOST_PER_SECOND, min: 1, doc: 'most inbound connections per second from one host (raise it for many nodes on one machine)' },
  'net.heartbeatMs': { kind: 'int', default: DEFAULT_HEARTBEAT_MS, min: 10, doc: 'gossipsub heartbeat in ms' },
  'net.meshDegree': { kind: 'int', default: DEFAULT_MESH_DEGREE, min: 1, max: 100, doc: 'gossipsub mesh degree D: peers each group is forwarded to (redundancy against lagging or withholding peers; keep the default on real swarms)' },
  'net.meshDegreeLow': { kind: 'int', default: DEFAULT_MESH_DEGREE_LOW, min: 1, max: 100, doc: 'gossipsub Dlo: below it the mesh is refilled to net.meshDegree (≤ net.meshDegree)' },
  'net.meshDegreeHigh': { kind: 'int', default: DEFAULT_MESH_DEGREE_HIGH, min: 1, max: 100, doc: 'gossipsub Dhi: above it the mesh is pruned to net.meshDegree (≥ net.meshDegree)' },
  'net.shardCount': { kind: 'int', default: DEFAULT_SHARD_COUNT, min: 1, max: MAX_SHARDS, doc: 'rollout topic shards (same on every node of a swarm): a node publishes on its home shard and receives only the shards it reads, ≈ net.shardsRead / net.shardCount of the swarm\'s groups (1 = every node receives every group)' },
  'net.homeShard': { kind: 'int', default: -1, min: -1, max: MAX_SHARDS - 1, doc: 'the shard this node publishes on (< net.shardCount; -1 = a hash of the peer id)' },
  'net.shardsRead': { kind: 'int', default: DEFAULT_SHARDS_READ, min: 1, max: MAX_SHARDS, doc: 'consecutive shards a node reads from its home shard (at most net.shardCount)' },
  'net.groupsPerSecond': { kind: 'number', default: DEFAULT_GROUPS_PER_SECOND, min: 0, exclusiveMin: true, doc: 'per-origin rate limit on accepted groups, groups per second' },
  'net.burst': { kind: 'int', default: DEFAULT_GROUP_BURST, min: 1, doc: 'per-origin burst of accepted groups (a node publishes a round\'s groups at once)' },
  // Defences per neighbour (the connection that delivered a group, whatever its signed origin):
  // origins are free to make, connections are not (packages/net README, "Hostile peers").
  'net.neighbourGroupsPerSecond': { kind: 'number', default: DEFAULT_NEIGHBOUR_GROUPS_PER_SECOND, min: 0, exclusiveMin: true, doc: 'per-neighbour rate limit on accepted groups, groups per second (all origins it relays together)' },
  'net.neighbourBurst': { kind: 'int', default: DEFAULT_NEIGHBOUR_BURST, min: 1, doc: 'per-neighbour burst of accepted groups' },
  'net.newOriginsPerMinute': { kind: 'number', default: DEFAULT_NEW_ORIGINS_PER_MINUTE, min: 0, exclusiveMin: true, doc: 'origins never accepted before that one neighbour may introduce per minute (caps Sybil floods over one connection)' },
  'net.newOriginBurst': { kind: 'int', default: DEFAULT_NEW_ORIGIN_BURST, min: 1, doc: 'burst of new origins per neighbour (a joining node learns many at once)' },
  'net.maxQueuedPerNeighbour': { kind: 'int', default: DEFAULT_INBOUND_QUEUE_PER_NEIGHBOUR, min: 1, doc: 'groups one neighbour may have waiting for validation (fair per-neighbour inbound queues)' },
  'net.maxInboundQueue': { kind: 'int', default: DEFAULT_INBOUND_QUEUE, min: 1, doc: 'groups waiting for validation from all neighbours together; beyond it they are ignored' },
  'net.replayWindowMs': { kind: 'int', default: DEFAULT_REPLAY_WINDOW_MS, min: 1, doc: 'replay protection: accepted contents are remembered this many ms (the protocol\'s max group age + future skew: the whole window in which a group is acceptable)' },
  'net.maxSeenGroups': { kind: 'int', default: DEFAULT_MAX_SEEN_GROUPS, min: 1, doc: 'replay protection: most accepted contents remembered (oldest forgotten first)' },
  'net.seenTtlMs': { kind: 'int', default: DEFAULT_SEEN_TTL_MS, min: 1, doc: 'how long gossipsub remembers message ids, ms (replays after it are caught by net.replayWindowMs)' },
  'net.reservedOutbound': { kind: 'int', default: DEFAULT_RESERVED_OUTBOUND, min: 0, doc: 'connection slots inbound connections may not take, kept for our own dials against eclipse (at most a quarter of net.maxConnections)' },

  // The pool is the store's rollout pool: its options, names and defaults.
  'pool.maxEntries': { kind: 'int', default: storeConstants.DEFAULT_POOL_MAX_ENTRIES, min: 1, doc: 'peer groups kept in the pool (oldest evicted first)' },
  'pool.maxBytes': { kind: 'int', default: storeConstants.DEFAULT_POOL_MAX_BYTES, min: 1024, doc: 'bytes of peer groups kept in the pool (oldest evicted first)' },
  'pool.ttlMs': { kind: 'number', default: storeConstants.DEFAULT_POOL_TTL_MS, min: 0, exclusiveMin: true, doc: 'peer groups older than this many ms are evicted' },
  'pool.maxStaleness': { kind: 'int', default: DEFAULT_MAX_STALENESS, min: 0, doc: 'S: peer groups more than S policy versions behind their producer\'s newest are evicted' },

  // Generation settings are the policy's (@murmur/policy's GenerateOptions and defaults).
  'generate.temperature': { kind: 'number', default: DEFAULT_TEMPERATURE, min: 0, doc: 'sampling temperature (0 = greedy)' },
  'generate.topP': { kind: 'number', default: DEFAULT_TOP_P, min: 0, max: 1, exclusiveMin: true, doc: 'nucleus sampling mass' },
  'generate.topK': { kind: 'int', default: DEFAULT_TOP_K, min: 0, doc: 'top-k sampling (0 = off)' },
  'generate.maxTokens': { kind: 'int', default: DEFAULT_MAX_TOKENS, min: 1, max: 4096, doc: 'maximum completion tokens' },

  // The rewards package's settings and defaults (verifier-only; HERO α = β = 0.05: see
  // @murmur/rewards' constants for why). HERO is one flag away: --rewards-shaper hero.
  'rewards.shaper': { kind: 'string', default: DEFAULT_SHAPER, choices: SHAPERS, doc: 'reward shaper' },
  'rewards.advantage': { kind: 'string', default: 'auto', choices: ['auto', ...ADVANTAGE_MODES], doc: 'advantage estimator (auto: mean-only for HERO with weighting, else grpo)' },
  'rewards.alpha': { kind: 'number', default: DEFAULT_HERO_ALPHA, min: 0, doc: 'HERO: band half-width of incorrect answers' },
  'rewards.beta': { kind: 'number', default: DEFAULT_HERO_BETA, min: 0, doc: 'HERO: band half-width of correct answers' },
  'rewards.weighting': { kind: 'bool', default: DEFAULT_HERO_WEIGHTING, doc: 'HERO: variance-aware group weighting' },
  'rewards.wMin': { kind: 'number', default: DEFAULT_HERO_W_MIN, min: 0, doc: 'HERO: minimum group weight' },
  'rewards.wMax': { kind: 'number', default: DEFAULT_HERO_W_MAX, min: 0, doc: 'HERO: maximum group weight' },
  'rewards.k': { kind: 'number', default: DEFAULT_HERO_K, min: 0, doc: 'HERO: weighting sigmoid steepness' },
  'rewards.filterZeroVariance': { kind: 'bool', default: DEFAULT_FILTER_ZERO_VARIANCE, doc: 'drop groups whose shaped rewards are all equal (DAPO)' },

  // The trainer's settings, named and defaulted as @murmur/trainer names and defaults them.
  'train.learningRate': { kind: 'number', default: TRAINER_DEFAULTS.learningRate, min: 0, exclusiveMin: true, max: 1, doc: 'AdamW learning rate' },
  'train.warmupSteps': { kind: 'int', default: TRAINER_DEFAULTS.warmupSteps, min: 0, doc: 'linear learning-rate warm-up steps' },
  // The node knows how many rounds it will run; the trainer counts optimizer steps (its
  // `decaySteps`): the node converts one into the other (config/package-options.ts).
  'train.decay': { kind: 'string', default: DEFAULT_LR_DECAY, choices: LR_DECAYS, doc: 'learning rate after warm-up: "linear" decays it to zero at the node\'s last round (constant when rounds is 0), "none" keeps it constant' },
  'train.weightDecay': { kind: 'number', default: TRAINER_DEFAULTS.weightDecay, min: 0, doc: 'AdamW decoupled weight decay' },
  'train.maxGradNorm': { kind: 'number', default: TRAINER_DEFAULTS.maxGradNorm, min: 0, doc: 'global gradient-norm clip (0 = off)' },
  'train.epochs': { kind: 'int', default: TRAINER_DEFAULTS.epochs, min: 1, max: 16, doc: 'update epochs per batch' },
  // The node counts minibatches in groups (the trainer in sequences: minibatchGroups × groupSize):
  // the trainer's default minibatch in groups of the default groupSize.
  'train.minibatchGroups': { kind: 'int', default: TRAINER_DEFAULTS.minibatchSize / DEFAULT_GROUP_SIZE, min: 1, doc: 'groups per minibatch' },
  'train.epsLow': { kind: 'number', default: TRAINER_DEFAULTS.epsLow, min: 0, max: 1, doc: 'ε_low of the clipped surrogate' },
  'train.epsHigh': { kind: 'number', default: TRAINER_DEFAULTS.epsHigh, min: 0, doc: 'ε_high of the clipped surrogate' },
  'train.importanceCap': { kind: 'number', default: DEFAULT_IMPORTANCE.cap, min: 0, exclusiveMin: true, doc: 'C: cap of the per-token importance weight of peer tokens (truncated IS)' },
  'train.negativeDelta': { kind: 'number', default: DEFAULT_IMPORTANCE.negativeDelta, min: 0, doc: 'δ: drop a peer completion with A < 0 whose mean log(π_old/μ) per token is below −δ' },
  'train.beta': { kind: 'number', default: TRAINER_DEFAULTS.beta, min: 0, doc: 'k3 KL penalty weight (0 = off)' },
  'train.loraRank': { kind: 'int', default: 0, min: 0, max: 4096, doc: 'LoRA rank for Hugging Face models (0 = full fine-tuning): only adapters and their AdamW state train and are checkpointed' },
  'train.loraTargets': { kind: 'list', default: DEFAULT_LORA_TARGETS, doc: 'projections that get LoRA adapters (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)' },
  'train.aggregation': { kind: 'string', default: TRAINER_DEFAULTS.aggregation, choices: AGGREGATIONS, doc: 'loss aggregation' },

  'curriculum.enabled': { kind: 'bool', default: false, doc: 'adapt each family\'s difficulty to keep the node\'s success rate in [curriculum.low, curriculum.high]' },
  'curriculum.low': { kind: 'number', default: DEFAULT_CURRICULUM.low, min: 0, max: 1, doc: 'below this success rate a family gets one level easier' },
  'curriculum.high': { kind: 'number', default: DEFAULT_CURRICULUM.high, min: 0, max: 1, doc: 'above this success rate a family gets one level harder' },
  'curriculum.window': { kind: 'int', default: DEFAULT_CURRICULUM.window, min: 1, doc: 'own completions of a family per curriculum decision' },

  'checkpoint.every': { kind: 'int', default: 1, min: 1, doc: 'checkpoint every N rounds' },
  // ≥ 2 so a damaged newest checkpoint can fall back to the previous one.
  'checkpoint.keep': { kind: 'int', default: storeConstants.DEFAULT_CHECKPOINT_KEEP, min: 2, doc: 'checkpoints kept (a damaged newest one falls back to an older one)' },
  // ~600 bytes a round: 100,000 rounds ≈ 60 MB; older rounds are deleted as new ones arrive.
  'metrics.keep': { kind: 'int', default: storeConstants.DEFAULT_METRICS_KEEP, min: 1, doc: 'rounds of metrics history kept (oldest deleted first)' },
  'eval.every': { kind: 'int', default: 100, min: 0, doc: 'evaluate on the held-out set every N rounds (0 = off); `murmur node` also evaluates before the first and after the last round' },
  // 2048 = up to 512 per family: every held-out instance of the default mix's small families and
  // 512 of sort_digits (630 in all). The spread between nodes is mostly which borderline instances
  // flip (nodes disagree on ≈ 8 %): its range over 4 nodes was 0.023 ± 0.004 on 374 instances
  // (1024, > 0.03 in 1 of 8 seeds) and 0.018 ± 0.002 on 630 (8 of 8 within 0.03), for ≈ 1 s more
  // CPU per evaluation (results.md §0.8, §0.9).
  'eval.tasks': { kind: 'int', default: 2048, min: 1, doc: 'held-out tasks per evaluation (split evenly over families; small families give fewer)' },
  'eval.taskMix': { kind: 'weights', default: {}, doc: 'families of the held-out set (empty = taskMix); murmur sim sets the union of its nodes\' mixes so heterogeneous nodes are scored on one set' },
  'eval.samples': { kind: 'int', default: DEFAULT_EVAL_SAMPLES, min: 0, max: 64, doc: 'sampled (temperature 1) completions per held-out task (0 = greedy only)' },

  // The training-side defence (producer-trust.ts; defaults = receive.ts's DEFAULT_TRUST).
  'trust.enabled': { kind: 'bool', default: true, doc: 'the training-side defence (peer credit within local limits, producer-first capped sampling); false only to measure attacks without it' },
  'trust.rate': { kind: 'number', default: DEFAULT_TRUST.rate, min: 0, exclusiveMin: true, max: 1, doc: 'per-producer trust: EMA step per observed peer group' },
  'trust.floor': { kind: 'number', default: DEFAULT_TRUST.floor, min: 0, max: 1, doc: 'per-producer trust: lowest honesty weight (a distrusted producer is still sampled, so it can recover)' },
  'trust.maxShare': { kind: 'number', default: DEFAULT_TRUST.maxShare, min: 0, exclusiveMin: true, max: 1, doc: 'most of the J peer groups of a round one producer may supply (share of J, at least 1 group)' },

  // Experiments only (murmur experiment adversarial): replaces this node's publish step by an attack.
  'adversary.strategy': { kind: 'string', default: 'none', choices: ATTACK_STRATEGIES, doc: 'experiments only: none (honest), wrong, marker, long — what this node publishes instead of its own groups' },
  'adversary.groupsPerRound': { kind: 'int', default: 0, min: 0, max: 4096, doc: 'experiments only: groups an adversary publishes per round (0 = as many as its local groups)' },

  // Off by default; loopback unless told otherwise (anything else needs the token in dataDir/observe.token).
  'metrics.port': { kind: 'int', default: 0, min: 0, max: 65535, doc: 'serve Prometheus /metrics on this port (0 = off)' },
  'metrics.host': { kind: 'string', default: LOOPBACK, doc: 'address /metrics binds to (beyond loopback a token is required)' }
} as const satisfies Schema
