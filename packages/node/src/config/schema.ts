/**
 * Every key of a node's configuration, its default and its allowed range. Defaults run a node
 * with no config at all: the built-in tiny policy and reward model, HERO shaping, I/J = 4/4.
 */
import type { Schema } from './fields.js'

/** The node configuration schema (dotted keys). */
export const NODE_CONFIG_SCHEMA = {
  dataDir: { kind: 'string', default: '.murmur/node', doc: 'directory for identity, database and checkpoints' },
  seed: { kind: 'int', default: 0, min: 0, max: 2 ** 32 - 1, doc: 'seed of task sampling, generation and initialization' },
  rounds: { kind: 'int', default: 200, min: 0, doc: 'rounds to run (0 = until stopped)' },
  localGroups: { kind: 'int', default: 4, min: 0, max: 256, doc: 'I: local groups (prompts) generated and trained on per round' },
  peerGroups: { kind: 'int', default: 4, min: 0, max: 256, doc: 'J: peer groups sampled from the pool per round' },
  groupSize: { kind: 'int', default: 8, min: 2, max: 64, doc: 'G: completions per prompt' },
  model: { kind: 'string', default: 'builtin:tiny', doc: 'policy: "builtin:tiny", a safetensors file or a model folder' },
  rewardModel: { kind: 'string', default: 'builtin:tiny-rm', doc: 'reward model: "builtin:tiny-rm", an ONNX/safetensors path, or "none"' },
  // The families where the shipped tiny policy starts in the learnable middle (≈ 25–60 % sampled);
  // measured: RL on this mix raises sampled reward within ~100 rounds, while the full default
  // mix (2-digit addition at 12 %, reversal at 0 %) stays flat for 150 rounds (docs/results.md).
  taskMix: { kind: 'weights', default: { basic_arithmetic: 1, base_conversion: 1, fraction_simplification: 1, sort_digits: 1 }, doc: 'task families and weights, e.g. add=3,sort_digits=1 (empty = the tasks package\'s default mix)' },
  modelId: { kind: 'string', default: '', doc: 'model id announced with published groups (default: derived from the model)' },

  'net.enabled': { kind: 'bool', default: true, doc: 'join the swarm (false = train alone, no networking)' },
  'net.swarmId': { kind: 'string', default: 'murmur-local', doc: 'swarm id; nodes with different ids never exchange rollouts' },
  'net.listen': { kind: 'list', default: ['/ip4/127.0.0.1/tcp/0'], doc: 'multiaddrs to listen on' },
  'net.bootstrap': { kind: 'list', default: [], doc: 'multiaddrs of bootstrap peers' },
  'net.mdns': { kind: 'bool', default: false, doc: 'discover peers on the LAN with mDNS' },
  'net.dht': { kind: 'bool', default: false, doc: 'run the Kademlia DHT (public swarms)' },
  'net.pskFile': { kind: 'string', default: '', doc: 'pre-shared key file of a private swarm (libp2p pnet)' },
  'net.maxConnections': { kind: 'int', default: 64, min: 1, max: 10000, doc: 'connection limit' },
  'net.peerGroupsPerSecond': { kind: 'number', default: 20, min: 0, exclusiveMin: true, doc: 'per-peer rate limit on accepted groups' },

  'pool.maxGroups': { kind: 'int', default: 4096, min: 1, doc: 'peer groups kept in the pool' },
  'pool.maxBytes': { kind: 'int', default: 64 * 1024 * 1024, min: 1024, doc: 'bytes of peer groups kept in the pool' },
  'pool.ttlSeconds': { kind: 'number', default: 600, min: 0, exclusiveMin: true, doc: 'peer groups older than this are evicted' },

  'generate.temperature': { kind: 'number', default: 1, min: 0, doc: 'sampling temperature (0 = greedy)' },
  'generate.topP': { kind: 'number', default: 1, min: 0, max: 1, exclusiveMin: true, doc: 'nucleus sampling mass' },
  'generate.topK': { kind: 'int', default: 0, min: 0, doc: 'top-k sampling (0 = off)' },
  'generate.maxTokens': { kind: 'int', default: 12, min: 1, max: 4096, doc: 'maximum completion tokens' },

  // Verifier-only by default: with the shipped tiny reward model (71.5 % pair accuracy) HERO
  // raised sampled reward but lowered held-out greedy accuracy in our runs (docs/results.md).
  // HERO is one flag away: --rewards-shaper hero.
  'rewards.shaper': { kind: 'string', default: 'verifier', choices: ['verifier', 'rm', 'hero', 'gdpo', 'partial'], doc: 'reward shaper' },
  'rewards.advantage': { kind: 'string', default: 'auto', choices: ['auto', 'grpo', 'mean', 'rloo'], doc: 'advantage estimator (auto: mean-only for HERO with weighting, else grpo)' },
  // 0.05 is the spec's setting when all training data is easy to verify, as murmur's tasks are;
  // with 0.1 the reward model's dense signal drove a collapse on addition at lr 3e-4.
  'rewards.alpha': { kind: 'number', default: 0.05, min: 0, doc: 'HERO: band half-width of incorrect answers' },
  'rewards.beta': { kind: 'number', default: 0.05, min: 0, doc: 'HERO: band half-width of correct answers' },
  'rewards.weighting': { kind: 'bool', default: true, doc: 'HERO: variance-aware group weighting' },
  'rewards.wMin': { kind: 'number', default: 0.4, min: 0, doc: 'HERO: minimum group weight' },
  'rewards.wMax': { kind: 'number', default: 3, min: 0, doc: 'HERO: maximum group weight' },
  'rewards.k': { kind: 'number', default: 6, min: 0, doc: 'HERO: weighting sigmoid steepness' },
  'rewards.filterZeroVariance': { kind: 'bool', default: true, doc: 'drop groups whose shaped rewards are all equal (DAPO)' },

  // Measured on the tiny policy: 1e-4 learns slowly, 2e-4 shows progress within ~100 rounds,
  // 3e-4 is noisier, 1e-3 collapses (runtime-facts.md).
  'train.lr': { kind: 'number', default: 2e-4, min: 0, exclusiveMin: true, max: 1, doc: 'AdamW learning rate' },
  'train.warmupSteps': { kind: 'int', default: 0, min: 0, doc: 'linear learning-rate warm-up steps' },
  'train.weightDecay': { kind: 'number', default: 0, min: 0, doc: 'AdamW decoupled weight decay' },
  'train.gradClip': { kind: 'number', default: 1, min: 0, doc: 'global gradient-norm clip (0 = off)' },
  'train.epochs': { kind: 'int', default: 1, min: 1, max: 16, doc: 'update epochs per batch' },
  'train.minibatchGroups': { kind: 'int', default: 8, min: 1, doc: 'groups per minibatch' },
  'train.clipLow': { kind: 'number', default: 0.2, min: 0, max: 1, doc: 'ε_low of the clipped surrogate' },
  'train.clipHigh': { kind: 'number', default: 0.28, min: 0, doc: 'ε_high of the clipped surrogate' },
  'train.klBeta': { kind: 'number', default: 0, min: 0, doc: 'k3 KL penalty weight (0 = off)' },
  'train.aggregation': { kind: 'string', default: 'token-mean', choices: ['token-mean', 'sequence-mean', 'constant'], doc: 'loss aggregation' },

  'checkpoint.every': { kind: 'int', default: 1, min: 1, doc: 'checkpoint every N rounds' },
  'checkpoint.keep': { kind: 'int', default: 3, min: 1, doc: 'checkpoints kept' },
  'eval.every': { kind: 'int', default: 0, min: 0, doc: 'evaluate held-out accuracy every N rounds (0 = off)' },
  'eval.tasks': { kind: 'int', default: 256, min: 1, doc: 'held-out tasks per evaluation' },

  // Off by default; loopback unless told otherwise (anything else needs the token in dataDir/observe.token).
  'metrics.port': { kind: 'int', default: 0, min: 0, max: 65535, doc: 'serve Prometheus /metrics on this port (0 = off)' },
  'metrics.host': { kind: 'string', default: '127.0.0.1', doc: 'address /metrics binds to (beyond loopback a token is required)' }
} as const satisfies Schema
