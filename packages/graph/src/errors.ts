import { MurmurError } from '@murmur/interface'

/** Shapes of an op's operands are incompatible (checked at build time). */
export class ShapeMismatchError extends MurmurError {
  static readonly code = 'ERR_SHAPE_MISMATCH'
  /** The ONNX op type, e.g. `MatMul`. */
  readonly op: string
  /** Module path of the node, e.g. `block.0.attn`. */
  readonly path: string
  constructor (op: string, path: string, message: string) {
    super(`${op} at '${path === '' ? '<root>' : path}': ${message}`, ShapeMismatchError.code)
    this.name = 'ShapeMismatchError'
    this.op = op
    this.path = path
  }
}

/** Element types of an op's operands are incompatible or unsupported. */
export class DTypeMismatchError extends MurmurError {
  static readonly code = 'ERR_DTYPE_MISMATCH'
  constructor (op: string, path: string, message: string) {
    super(`${op} at '${path === '' ? '<root>' : path}': ${message}`, DTypeMismatchError.code)
    this.name = 'DTypeMismatchError'
  }
}

/** The graph is malformed: duplicate names, foreign values, missing outputs, bad attributes. */
export class InvalidGraphError extends MurmurError {
  static readonly code = 'ERR_INVALID_GRAPH'
  constructor (message: string) {
    super(message, InvalidGraphError.code)
    this.name = 'InvalidGraphError'
  }
}

/** Autodiff reached an op with no gradient rule (or a case its rule does not cover). */
export class MissingGradientError extends MurmurError {
  static readonly code = 'ERR_MISSING_GRADIENT'
  /** The ONNX op type without a rule. */
  readonly op: string
  constructor (op: string, node: string, detail = 'no gradient rule for this op') {
    super(`cannot differentiate ${op} (node '${node}'): ${detail}`, MissingGradientError.code)
    this.name = 'MissingGradientError'
    this.op = op
  }
}

/** onnxruntime rejected a model or failed while running it. */
export class OnnxRuntimeError extends MurmurError {
  static readonly code = 'ERR_ONNXRUNTIME'
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, OnnxRuntimeError.code, options)
    this.name = 'OnnxRuntimeError'
  }
}

/** A session worker was used after `close()`, or its thread died. */
export class SessionClosedError extends MurmurError {
  static readonly code = 'ERR_SESSION_CLOSED'
  constructor (message = 'the session worker is closed') {
    super(message, SessionClosedError.code)
    this.name = 'SessionClosedError'
  }
}

/** The requested device is unknown or not available here; the message names the install step. */
export class DeviceUnavailableError extends MurmurError {
  static readonly code = 'ERR_DEVICE_UNAVAILABLE'
  /** The device that was asked for. */
  readonly device: string
  constructor (device: string, message: string) {
    super(message, DeviceUnavailableError.code)
    this.name = 'DeviceUnavailableError'
    this.device = device
  }
}
