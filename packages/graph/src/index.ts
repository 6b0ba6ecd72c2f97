/**
 * @packageDocumentation
 * ONNX graph builder with shape checks, reverse-mode autodiff, an in-graph AdamW train-step
 * update and an onnxruntime runner. Build a graph with `graphBuilder()`, serialize it with
 * `toModelProto()`, and run it with `createSession()` / `createSessionWorker()`, or several sessions
 * sharing carried state (a train step's parameters, on the device) with `createSessionHost()`.
 */
export { GraphBuilder, graphBuilder } from './builder.js'
export type { Value, ValueLike, ValueKind, GraphBuilderInit, OutputSpec, NodeOptions, ParamInfo } from './core.js'
export type { IntsLike } from './shape-ops.js'
export type { Attr } from './proto.js'
export { type Dim, type Shape, broadcastShapes, formatShape, isStatic } from './shape.js'
export { type DType, type Tensor, type TensorData, type TypedArrayOf, tensor, scalar, numel, isFloat } from './tensor.js'
export { ShapeMismatchError, DTypeMismatchError, InvalidGraphError, MissingGradientError, OnnxRuntimeError, SessionClosedError, DeviceUnavailableError } from './errors.js'
export { DEFAULT_OPSET, DEFAULT_IR_VERSION, MIN_OPSET, MAX_OPSET, NEXT_SUFFIX, ADAMW_DEFAULTS, DEFAULT_INTRA_OP_THREADS, ONE_HOT_GATHER_MAX_ROWS, FUSED_UPDATE_MAX_ELEMENTS } from './constants.js'
export { createSession, ortOptions, type Session, type SessionOptions, type RunOptions, type TensorMap } from './session.js'
export { type Device, type ResolvedDevice, type DeviceProbe, DEVICES, DEVICE_INSTALL_HINTS, parseDevice, resolveDevice, executionProvidersFor, ortDeviceProbe } from './device.js'
export { withWebgpuLock, webgpuLockBuffer, adoptWebgpuLock } from './device-lock.js'
export { createSessionHost, createSessionWorker, type SessionHost, type SessionHostOptions, type HostedSession, type HostRunOptions, type SessionWorker } from './worker.js'
export { startWorkerRpc, type WorkerRpc, type WorkerRpcInit, type WorkerRpcErrors, type RpcReply } from './worker-rpc.js'
export { grad, GRAD_RULES } from './autodiff.js'
export type { GradRule, GradContext } from './grad-util.js'
export { adamw, globalNorm, clipScale, type Optimizer, type AdamWInit, type ParamSlot, type StepInputs } from './optim.js'
export { appendUpdate, flatParamInput, stateName, type UpdateInit, type FlatParams } from './train-step.js'
