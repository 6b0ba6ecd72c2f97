/**
 * The builder's core: values, nodes, scopes, inputs, parameters, constants, outputs and
 * serialization. Op methods live in the subclasses (elementwise.ts, shape-ops.ts, nn-ops.ts).
 */
import { InvalidArgumentError } from '@murmur/interface'
import { DEFAULT_IR_VERSION, DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, PRODUCER_NAME, PRODUCER_VERSION } from './constants.js'
import { DTypeMismatchError, InvalidGraphError, ShapeMismatchError } from './errors.js'
import { encodeModel, type Attr } from './proto.js'
import { formatShape, type Dim, type Shape } from './shape.js'
import { scalar, tensor, type DType, type Tensor } from './tensor.js'

/** A typed handle to a tensor in the graph under construction. */
export interface Value {
  /** The ONNX value name. */
  readonly name: string
  readonly dtype: DType
  readonly shape: Shape
  /** `shape.length`. */
  readonly rank: number
}

/** Where a value comes from. */
export type ValueKind = 'input' | 'param' | 'frozen' | 'constant' | 'node'

/** @internal the concrete value record. */
export class ValueImpl implements Value {
  name: string
  readonly dtype: DType
  readonly shape: Shape
  readonly kind: ValueKind
  readonly owner: object
  /** Known contents (constants and initializers), used for constant shapes and autodiff. */
  readonly constant: Tensor | undefined
  /** The node producing this value and the output slot, for `kind === 'node'`. */
  producer: NodeRecord | undefined
  constructor (owner: object, name: string, dtype: DType, shape: Shape, kind: ValueKind, constant?: Tensor) {
    this.owner = owner
    this.name = name
    this.dtype = dtype
    this.shape = [...shape]
    this.kind = kind
    this.constant = constant
    this.producer = undefined
  }

  get rank (): number { return this.shape.length }
}

/** A node in emission order; autodiff walks these backwards. */
export interface NodeRecord {
  readonly name: string
  readonly opType: string
  readonly domain: string
  readonly path: string
  readonly inputs: ReadonlyArray<ValueImpl | undefined>
  readonly outputs: readonly ValueImpl[]
  readonly attrs: Readonly<Record<string, Attr>>
  /** Gradients do not flow through this node (`stopGradient`). */
  readonly stopGradient: boolean
}

/** Options of `graphBuilder`. */
export interface GraphBuilderInit {
  /** Graph name written into the model. Default `murmur`. */
  name?: string
  /** ONNX opset, 17–26. Default 21. */
  opset?: number
  /** IR version. Default 10. */
  irVersion?: number
  /**
   * How `param()` materializes trainable parameters: as initializers (inference export, the
   * default) or as graph inputs (train steps, where parameters flow in and out).
   */
  paramsAs?: 'initializer' | 'input'
  /** Model metadata (`metadata_props`). */
  metadata?: Record<string, string>
}

/** Output spec of a low-level `node()` call. */
export interface OutputSpec { dtype: DType, shape: Shape }

/** Options of a low-level `node()` call. */
export interface NodeOptions {
  /** ONNX domain; default the standard one. */
  domain?: string
  /** Node name stem (default the op type). */
  stem?: string
  /** Marks the node as a gradient barrier. */
  stopGradient?: boolean
}

/** A registered parameter. */
export interface ParamInfo { readonly value: Value, readonly init: Tensor, readonly trainable: boolean }

/** Anything accepted where a value is expected: a value, or a JS number made into a scalar constant. */
export type ValueLike = Value | number

/** @internal state and primitives shared by all op mixins. */
export class GraphCore {
  readonly opset: number
  readonly irVersion: number
  readonly graphName: string
  readonly paramsAs: 'initializer' | 'input'
  private readonly metadata: Record<string, string>
  private readonly scopes: string[] = []
  private readonly usedNames = new Set<string>()
  private readonly nodeCounters = new Map<string, number>()
  private readonly scalarCache = new Map<string, ValueImpl>()
  /** @internal */ readonly nodeList: NodeRecord[] = []
  private readonly inputList: ValueImpl[] = []
  private readonly initList: Array<{ value: ValueImpl, tensor: Tensor }> = []
  private readonly outputList: Array<{ name: string, value: ValueImpl }> = []
  private readonly paramList: ParamInfo[] = []

  constructor (init: GraphBuilderInit = {}) {
    const opset = init.opset ?? DEFAULT_OPSET
    if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
      throw new InvalidArgumentError('opset', `must be an integer in ${MIN_OPSET}..${MAX_OPSET}, got ${opset}`)
    }
    this.opset = opset
    this.irVersion = init.irVersion ?? DEFAULT_IR_VERSION
    this.graphName = init.name ?? 'murmur'
    this.paramsAs = init.paramsAs ?? 'initializer'
    this.metadata = { ...(init.metadata ?? {}) }
  }

  /** The current module path, e.g. `block.0.attn` (empty at the root). */
  get path (): string { return this.scopes.join('.') }

  /** Runs `fn` with `name` appended to the module path; names made inside derive from it. */
  scope<T> (name: string | number, fn: () => T): T {
    const seg = String(name)
    if (seg === '' || seg.includes('/')) throw new InvalidArgumentError('scope', `scope names must be non-empty and contain no '/', got '${seg}'`)
    this.scopes.push(seg)
    try {
      return fn()
    } finally {
      this.scopes.pop()
    }
  }

  private qualify (name: string): string {
    return this.scopes.length === 0 ? name : `${this.path}.${name}`
  }

  private claim (name: string): string {
    if (this.usedNames.has(name)) throw new InvalidGraphError(`duplicate value name '${name}'`)
    this.usedNames.add(name)
    return name
  }

  /** @internal checks that `v` belongs to this builder. */
  own (v: Value, what = 'value'): ValueImpl {
    if (!(v instanceof ValueImpl) || v.owner !== this) throw new InvalidGraphError(`${what} '${v?.name}' does not belong to this graph builder`)
    return v
  }

  /** Declares a graph input. `shape` dims are sizes or symbols (`batch_size`); the name is used as given. */
  input (name: string, dtype: DType, shape: Shape): Value {
    checkShape(shape)
    const v = new ValueImpl(this, this.claim(name), dtype, shape, 'input')
    this.inputList.push(v)
    return v
  }

  /**
   * Declares a parameter named `<path>.<name>` (e.g. `block.0.attn.q_proj.weight`) with initial
   * value `init`. Trainable parameters become initializers or graph inputs per `paramsAs`;
   * `trainable: false` ones are always initializers (frozen weights).
   */
  param (name: string, init: Tensor, options: { trainable?: boolean } = {}): Value {
    const trainable = options.trainable ?? true
    const full = this.claim(this.qualify(name))
    const asInput = trainable && this.paramsAs === 'input'
    const v = new ValueImpl(this, full, init.dtype, init.dims, trainable ? 'param' : 'frozen', asInput ? undefined : init)
    if (asInput) this.inputList.push(v)
    else this.initList.push({ value: v, tensor: init })
    this.paramList.push({ value: v, init, trainable })
    return v
  }

  /** Parameters declared so far, in declaration order. */
  params (): readonly ParamInfo[] { return [...this.paramList] }

  /** A constant tensor (an initializer named `<path>/<name>`). */
  constant (t: Tensor, name = 'const'): Value {
    // Internal names contain '/' so they never collide with user-chosen input/output names.
    const full = this.claim(this.uniqueName(`${this.path}/${name}`))
    const v = new ValueImpl(this, full, t.dtype, t.dims, 'constant', t)
    this.initList.push({ value: v, tensor: t })
    return v
  }

  /** A scalar constant of `dtype` (shared: the same dtype and value give the same value). */
  scalar (value: number | bigint | boolean, dtype: DType = 'float32'): Value {
    const key = `${dtype}:${String(value)}`
    const hit = this.scalarCache.get(key)
    if (hit !== undefined) return hit
    const name = this.claim(`/scalar.${dtype}.${String(value)}`)
    const t = scalar(dtype, value)
    const v = new ValueImpl(this, name, dtype, [], 'constant', t)
    this.initList.push({ value: v, tensor: t })
    this.scalarCache.set(key, v)
    return v
  }

  /** A 1-D int64 constant, e.g. for shapes and axes. */
  ints (values: ReadonlyArray<number | bigint>, name = 'ints'): Value {
    return this.constant(tensor('int64', [values.length], values.map(v => BigInt(v))), name)
  }

  /** Turns a number into a scalar constant of `like`'s dtype; passes values through. */
  lift (x: ValueLike, like: DType): Value {
    return typeof x === 'number' ? this.scalar(like === 'int64' ? BigInt(Math.trunc(x)) : x, like) : x
  }

  /**
   * Marks `value` as a graph output called `name`. A value made by a node is renamed in place;
   * inputs, parameters and values already output get an Identity node.
   */
  output (name: string, value: Value): Value {
    let v = this.own(value, 'output')
    if (this.outputList.some(o => o.name === name)) throw new InvalidGraphError(`duplicate output name '${name}'`)
    const renameable = v.kind === 'node' && !this.outputList.some(o => o.value === v) && !this.usedNames.has(name)
    if (renameable) {
      this.usedNames.delete(v.name)
      v.name = this.claim(name)
    } else {
      const [id] = this.node('Identity', [v], {}, [{ dtype: v.dtype, shape: v.shape }], { stem: `output.${name}` })
      const idv = id as ValueImpl
      this.usedNames.delete(idv.name)
      idv.name = this.claim(name)
      v = idv
    }
    this.outputList.push({ name, value: v })
    return v
  }

  /** Graph inputs declared so far (including parameters when `paramsAs` is `input`). */
  inputs (): readonly Value[] { return [...this.inputList] }

  /** Graph outputs declared so far. */
  outputs (): readonly Value[] { return this.outputList.map(o => o.value) }

  private uniqueName (stem: string): string {
    const n = this.nodeCounters.get(stem) ?? 0
    this.nodeCounters.set(stem, n + 1)
    const name = n === 0 ? stem : `${stem}_${n}`
    return this.usedNames.has(name) ? this.uniqueName(stem) : name
  }

  /**
   * Emits a raw node with declared outputs; the escape hatch for ops without a typed method.
   * Names derive from the module path: `<path>/<OpType>` and `<node>:<i>` for outputs.
   */
  node (opType: string, inputs: ReadonlyArray<Value | undefined>, attrs: Record<string, Attr>, outputs: readonly OutputSpec[], options: NodeOptions = {}): Value[] {
    const ins = inputs.map(i => i === undefined ? undefined : this.own(i, `input of ${opType}`))
    // A trailing empty optional input crashes onnxruntime (e.g. LayerNormalization without bias).
    while (ins.length > 0 && ins[ins.length - 1] === undefined) ins.pop()
    const prefix = this.path === '' ? '' : `${this.path}/`
    const name = this.uniqueName(`${prefix}${options.stem ?? opType}`)
    this.usedNames.add(name)
    const outs = outputs.map((o, i) => {
      checkShape(o.shape)
      return new ValueImpl(this, this.claim(`${name}:${i}`), o.dtype, o.shape, 'node')
    })
    const rec: NodeRecord = { name, opType, domain: options.domain ?? '', path: this.path, inputs: ins, outputs: outs, attrs, stopGradient: options.stopGradient === true }
    for (const o of outs) o.producer = rec
    this.nodeList.push(rec)
    return outs
  }

  /** @internal throws ShapeMismatchError for `op` at the current path. */
  shapeError (op: string, message: string): never {
    throw new ShapeMismatchError(op, this.path, message)
  }

  /** @internal throws DTypeMismatchError unless all values share a dtype (optionally one of `allowed`). */
  sameDType (op: string, values: readonly Value[], allowed?: readonly DType[]): DType {
    const dt = values[0].dtype
    for (const v of values) {
      if (v.dtype !== dt) throw new DTypeMismatchError(op, this.path, `operands have dtypes ${values.map(x => x.dtype).join(', ')}`)
    }
    if (allowed !== undefined && !allowed.includes(dt)) throw new DTypeMismatchError(op, this.path, `dtype ${dt} not supported (allowed: ${allowed.join(', ')})`)
    return dt
  }

  /**
   * Serializes the graph to ONNX `ModelProto` bytes (deterministic for a deterministic build).
   * Nodes that no output depends on are left out (onnxruntime would run them): rules and
   * rewrites may emit values they end up not using.
   */
  toModelProto (options: { docString?: string } = {}): Uint8Array {
    if (this.outputList.length === 0) throw new InvalidGraphError('the graph has no outputs; call output() first')
    const live = new Set<NodeRecord>()
    const stack = this.outputList.map(o => o.value.producer)
    for (let n = stack.pop(); n !== undefined || stack.length > 0; n = stack.pop()) {
      if (n === undefined || live.has(n)) continue
      live.add(n)
      for (const i of n.inputs) if (i?.producer !== undefined) stack.push(i.producer)
    }
    const used = new Set<string>(this.outputList.map(o => o.value.name))
    for (const n of live) for (const i of n.inputs) if (i !== undefined) used.add(i.name)
    return encodeModel({
      irVersion: this.irVersion,
      opset: this.opset,
      producerName: PRODUCER_NAME,
      producerVersion: PRODUCER_VERSION,
      graphName: this.graphName,
      docString: options.docString,
      nodes: this.nodeList.filter(n => live.has(n)).map(n => ({ name: n.name, opType: n.opType, domain: n.domain, inputs: n.inputs.map(i => i?.name ?? ''), outputs: n.outputs.map(o => o.name), attrs: n.attrs })),
      initializers: this.initList.filter(i => used.has(i.value.name)).map(i => ({ name: i.value.name, tensor: i.tensor })),
      inputs: this.inputList.map(v => ({ name: v.name, dtype: v.dtype, shape: v.shape })),
      outputs: this.outputList.map(o => ({ name: o.value.name, dtype: o.value.dtype, shape: o.value.shape })),
      metadata: this.metadata
    })
  }
}

function checkShape (shape: Shape): void {
  for (const d of shape) {
    if (typeof d === 'number' ? !(Number.isInteger(d) && d >= 0) : (typeof d !== 'string' || d === '')) {
      throw new InvalidArgumentError('shape', `dims must be non-negative integers or non-empty symbols, got ${formatShape(shape)}`)
    }
  }
}

/** @internal attribute constructors. */
export const attr = {
  int: (value: number | bigint): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  ints: (value: ReadonlyArray<number | bigint>): Attr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  tensor: (value: Tensor): Attr => ({ kind: 'tensor', value })
}

/** @internal reads an int attribute. */
export function intAttr (attrs: Readonly<Record<string, Attr>>, key: string, fallback: number): number {
  const a = attrs[key]
  return a !== undefined && a.kind === 'int' ? Number(a.value) : fallback
}

/** @internal a dim list for messages. */
export function dims (d: readonly Dim[]): string { return formatShape(d) }
