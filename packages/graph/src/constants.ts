/** Opset the builder targets unless told otherwise (onnxruntime 1.30 loads 17–26). */
export const DEFAULT_OPSET = 21
/** Lowest opset the builder emits. */
export const MIN_OPSET = 17
/** Highest opset onnxruntime-node 1.30 accepts. */
export const MAX_OPSET = 26
/** ONNX IR version written into models (onnxruntime 1.30 loads IR 8–13). */
export const DEFAULT_IR_VERSION = 10
/** `producer_name` written into models. */
export const PRODUCER_NAME = 'murmur-graph'
/** `producer_version` written into models. */
export const PRODUCER_VERSION = '0.1.0'
/** Default intra-op threads of sessions (the reference machine has 2 cores). */
export const DEFAULT_INTRA_OP_THREADS = 2
/** Suffix of a train-step output that feeds back as the input of the same name without it. */
export const NEXT_SUFFIX = '.next'
/** Default AdamW hyper-parameters (PyTorch's). */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 } as const
/** Largest int64 used as an open slice end. */
export const INT64_MAX = 9223372036854775807n
/** Gather's gradient over a table of at most this many rows is a one-hot Gemm (else a ScatterND). */
export const ONE_HOT_GATHER_MAX_ROWS = 512
/** `appendUpdate` fuses an elementwise optimizer over all parameters up to this many elements in total. */
export const FUSED_UPDATE_MAX_ELEMENTS = 1 << 24
/**
 * Most inputs of one Concat / outputs of one Split the builder emits; wider ones become trees.
 * onnxruntime's WebGPU kernels bind every input and output as a storage buffer, and WebGPU's
 * default `maxStorageBuffersPerShaderStage` is 8 (measured: a 16-way Split of the flat train
 * state fails on Mesa's lavapipe adapter, whose limit is 16). On the CPU a tree costs one more
 * copy of the data, which only the flat state of small models goes through.
 */
export const MAX_NODE_PARTS = 7
