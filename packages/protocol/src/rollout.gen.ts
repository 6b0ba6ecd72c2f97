import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface WireTaskParam {
  key: Uint8Array<ArrayBuffer>
  number?: number
  text?: Uint8Array<ArrayBuffer>
  flag?: boolean
}

export namespace WireTaskParam {
  let _codec: Codec<WireTaskParam>

  export const codec = (): Codec<WireTaskParam> => {
    if (_codec == null) {
      _codec = message<WireTaskParam>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.key)
        }

        if (obj.number != null) {
          w.uint32(17)
          w.double(obj.number)
        }

        if (obj.text != null) {
          w.uint32(26)
          w.bytes(obj.text)
        }

        if (obj.flag != null) {
          w.uint32(32)
          w.bool(obj.flag)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.bytes()
              break
            }
            case 2: {
              obj.number = reader.double()
              break
            }
            case 3: {
              obj.text = reader.bytes()
              break
            }
            case 4: {
              obj.flag = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.number`,
                value: reader.double()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.text`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.flag`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WireTaskParamKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WireTaskParamNumberFieldEvent {
    field: '$.number'
    value: number
  }

  export interface WireTaskParamTextFieldEvent {
    field: '$.text'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WireTaskParamFlagFieldEvent {
    field: '$.flag'
    value: boolean
  }

  export function encode (obj: Partial<WireTaskParam>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WireTaskParam.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireTaskParam>): WireTaskParam {
    return decodeMessage(buf, WireTaskParam.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireTaskParam>): Generator<WireTaskParamKeyFieldEvent | WireTaskParamNumberFieldEvent | WireTaskParamTextFieldEvent | WireTaskParamFlagFieldEvent> {
    return streamMessage(buf, WireTaskParam.codec(), opts)
  }
}

export interface WireTaskRef {
  family: Uint8Array<ArrayBuffer>
  version: number
  seed: number
  params: WireTaskParam[]
}

export namespace WireTaskRef {
  let _codec: Codec<WireTaskRef>

  export const codec = (): Codec<WireTaskRef> => {
    if (_codec == null) {
      _codec = message<WireTaskRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.family != null && obj.family.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.family)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(16)
          w.uint32(obj.version)
        }

        if ((obj.seed != null && obj.seed !== 0)) {
          w.uint32(24)
          w.uint32(obj.seed)
        }

        if (obj.params != null && obj.params.length > 0) {
          for (const value of obj.params) {
            w.uint32(34)
            WireTaskParam.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          family: uint8ArrayAlloc(0),
          version: 0,
          seed: 0,
          params: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.family = reader.bytes()
              break
            }
            case 2: {
              obj.version = reader.uint32()
              break
            }
            case 3: {
              obj.seed = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.params != null && obj.params.length === opts.limits.params) {
                throw new MaxLengthError('Decode error - repeated field "params" had too many elements')
              }

              obj.params.push(WireTaskParam.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.params$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          params: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.family`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seed`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.params != null && obj.params === opts.limits.params) {
                throw new MaxLengthError('Streaming decode error - repeated field "params" had too many elements')
              }

              for (const evt of WireTaskParam.codec().stream(reader, reader.uint32(), `${prefix}.params[]`, {
                limits: opts.limits?.params$
              })) {
                yield {
                  ...evt,
                  index: obj.params
                }
              }

              obj.params++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WireTaskRefFamilyFieldEvent {
    field: '$.family'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WireTaskRefVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface WireTaskRefSeedFieldEvent {
    field: '$.seed'
    value: number
  }

  export interface WireTaskRefParamsKeyFieldEvent {
    field: '$.params[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface WireTaskRefParamsNumberFieldEvent {
    field: '$.params[].number'
    value: number
    index: number
  }

  export interface WireTaskRefParamsTextFieldEvent {
    field: '$.params[].text'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface WireTaskRefParamsFlagFieldEvent {
    field: '$.params[].flag'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<WireTaskRef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WireTaskRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireTaskRef>): WireTaskRef {
    return decodeMessage(buf, WireTaskRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireTaskRef>): Generator<WireTaskRefFamilyFieldEvent | WireTaskRefVersionFieldEvent | WireTaskRefSeedFieldEvent | WireTaskRefParamsKeyFieldEvent | WireTaskRefParamsNumberFieldEvent | WireTaskRefParamsTextFieldEvent | WireTaskRefParamsFlagFieldEvent> {
    return streamMessage(buf, WireTaskRef.codec(), opts)
  }
}

export interface WireCompletionTrace {
  tokenIds: number[]
  negLogprobQ: number[]
}

export namespace WireCompletionTrace {
  let _codec: Codec<WireCompletionTrace>

  export const codec = (): Codec<WireCompletionTrace> => {
    if (_codec == null) {
      _codec = message<WireCompletionTrace>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.tokenIds != null && obj.tokenIds.length > 0) {
          for (const value of obj.tokenIds) {
            w.uint32(8)
            w.uint32(value)
          }
        }

        if (obj.negLogprobQ != null && obj.negLogprobQ.length > 0) {
          for (const value of obj.negLogprobQ) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tokenIds: [],
          negLogprobQ: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.tokenIds != null && obj.tokenIds.length === opts.limits.tokenIds) {
                throw new MaxLengthError('Decode error - repeated field "tokenIds" had too many elements')
              }

              obj.tokenIds.push(reader.uint32())
              break
            }
            case 2: {
              if (opts.limits?.negLogprobQ != null && obj.negLogprobQ.length === opts.limits.negLogprobQ) {
                throw new MaxLengthError('Decode error - repeated field "negLogprobQ" had too many elements')
              }

              obj.negLogprobQ.push(reader.uint32())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          tokenIds: 0,
          negLogprobQ: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.tokenIds != null && obj.tokenIds === opts.limits.tokenIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "tokenIds" had too many elements')
              }

              yield {
                field: `${prefix}.tokenIds[]`,
                index: obj.tokenIds,
                value: reader.uint32()
              }

              obj.tokenIds++

              break
            }
            case 2: {
              if (opts.limits?.negLogprobQ != null && obj.negLogprobQ === opts.limits.negLogprobQ) {
                throw new MaxLengthError('Streaming decode error - repeated field "negLogprobQ" had too many elements')
              }

              yield {
                field: `${prefix}.negLogprobQ[]`,
                index: obj.negLogprobQ,
                value: reader.uint32()
              }

              obj.negLogprobQ++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WireCompletionTraceTokenIdsFieldEvent {
    field: '$.tokenIds[]'
    index: number
    value: number
  }

  export interface WireCompletionTraceNegLogprobQFieldEvent {
    field: '$.negLogprobQ[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<WireCompletionTrace>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WireCompletionTrace.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireCompletionTrace>): WireCompletionTrace {
    return decodeMessage(buf, WireCompletionTrace.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireCompletionTrace>): Generator<WireCompletionTraceTokenIdsFieldEvent | WireCompletionTraceNegLogprobQFieldEvent> {
    return streamMessage(buf, WireCompletionTrace.codec(), opts)
  }
}

export interface WireRolloutGroup {
  protocolVersion: number
  task?: WireTaskRef
  prompt: Uint8Array<ArrayBuffer>
  completions: Uint8Array<ArrayBuffer>[]
  modelId: Uint8Array<ArrayBuffer>
  round: number
  scores: number[]
  createdAtMs: number
  policyVersion: number
  truncated: boolean[]
  tokenizerId: Uint8Array<ArrayBuffer>
  traces: WireCompletionTrace[]
}

export namespace WireRolloutGroup {
  let _codec: Codec<WireRolloutGroup>

  export const codec = (): Codec<WireRolloutGroup> => {
    if (_codec == null) {
      _codec = message<WireRolloutGroup>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.protocolVersion != null && obj.protocolVersion !== 0)) {
          w.uint32(8)
          w.uint32(obj.protocolVersion)
        }

        if (obj.task != null) {
          w.uint32(18)
          WireTaskRef.codec().encode(obj.task, w)
        }

        if ((obj.prompt != null && obj.prompt.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.prompt)
        }

        if (obj.completions != null && obj.completions.length > 0) {
          for (const value of obj.completions) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.modelId != null && obj.modelId.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.modelId)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(48)
          w.uint32(obj.round)
        }

        if (obj.scores != null && obj.scores.length > 0) {
          for (const value of obj.scores) {
            w.uint32(57)
            w.double(value)
          }
        }

        if ((obj.createdAtMs != null && obj.createdAtMs !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.createdAtMs)
        }

        if ((obj.policyVersion != null && obj.policyVersion !== 0)) {
          w.uint32(72)
          w.uint32(obj.policyVersion)
        }

        if (obj.truncated != null && obj.truncated.length > 0) {
          for (const value of obj.truncated) {
            w.uint32(80)
            w.bool(value)
          }
        }

        if ((obj.tokenizerId != null && obj.tokenizerId.byteLength > 0)) {
          w.uint32(90)
          w.bytes(obj.tokenizerId)
        }

        if (obj.traces != null && obj.traces.length > 0) {
          for (const value of obj.traces) {
            w.uint32(98)
            WireCompletionTrace.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          protocolVersion: 0,
          prompt: uint8ArrayAlloc(0),
          completions: [],
          modelId: uint8ArrayAlloc(0),
          round: 0,
          scores: [],
          createdAtMs: 0,
          policyVersion: 0,
          truncated: [],
          tokenizerId: uint8ArrayAlloc(0),
          traces: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.protocolVersion = reader.uint32()
              break
            }
            case 2: {
              obj.task = WireTaskRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.task
              })
              break
            }
            case 3: {
              obj.prompt = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.completions != null && obj.completions.length === opts.limits.completions) {
                throw new MaxLengthError('Decode error - repeated field "completions" had too many elements')
              }

              obj.completions.push(reader.bytes())
              break
            }
            case 5: {
              obj.modelId = reader.bytes()
              break
            }
            case 6: {
              obj.round = reader.uint32()
              break
            }
            case 7: {
              if (opts.limits?.scores != null && obj.scores.length === opts.limits.scores) {
                throw new MaxLengthError('Decode error - repeated field "scores" had too many elements')
              }

              obj.scores.push(reader.double())
              break
            }
            case 8: {
              obj.createdAtMs = reader.uint64Number()
              break
            }
            case 9: {
              obj.policyVersion = reader.uint32()
              break
            }
            case 10: {
              if (opts.limits?.truncated != null && obj.truncated.length === opts.limits.truncated) {
                throw new MaxLengthError('Decode error - repeated field "truncated" had too many elements')
              }

              obj.truncated.push(reader.bool())
              break
            }
            case 11: {
              obj.tokenizerId = reader.bytes()
              break
            }
            case 12: {
              if (opts.limits?.traces != null && obj.traces.length === opts.limits.traces) {
                throw new MaxLengthError('Decode error - repeated field "traces" had too many elements')
              }

              obj.traces.push(WireCompletionTrace.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.traces$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          completions: 0,
          scores: 0,
          truncated: 0,
          traces: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.protocolVersion`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * WireTaskRef.codec().stream(reader, reader.uint32(), `${prefix}.task`, {
                limits: opts.limits?.task
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.prompt`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.completions != null && obj.completions === opts.limits.completions) {
                throw new MaxLengthError('Streaming decode error - repeated field "completions" had too many elements')
              }

              yield {
                field: `${prefix}.completions[]`,
                index: obj.completions,
                value: reader.bytes()
              }

              obj.completions++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.modelId`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              if (opts.limits?.scores != null && obj.scores === opts.limits.scores) {
                throw new MaxLengthError('Streaming decode error - repeated field "scores" had too many elements')
              }

              yield {
                field: `${prefix}.scores[]`,
                index: obj.scores,
                value: reader.double()
              }

              obj.scores++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.createdAtMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.policyVersion`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              if (opts.limits?.truncated != null && obj.truncated === opts.limits.truncated) {
                throw new MaxLengthError('Streaming decode error - repeated field "truncated" had too many elements')
              }

              yield {
                field: `${prefix}.truncated[]`,
                index: obj.truncated,
                value: reader.bool()
              }

              obj.truncated++

              break
            }
            case 11: {
              yield {
                field: `${prefix}.tokenizerId`,
                value: reader.bytes()
              }
              break
            }
            case 12: {
              if (opts.limits?.traces != null && obj.traces === opts.limits.traces) {
                throw new MaxLengthError('Streaming decode error - repeated field "traces" had too many elements')
              }

              for (const evt of WireCompletionTrace.codec().stream(reader, reader.uint32(), `${prefix}.traces[]`, {
                limits: opts.limits?.traces$
              })) {
                yield {
                  ...evt,
                  index: obj.traces
                }
              }

              obj.traces++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WireRolloutGroupProtocolVersionFieldEvent {
    field: '$.protocolVersion'
    value: number
  }

  export interface WireRolloutGroupTaskFamilyFieldEvent {
    field: '$.task.family'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WireRolloutGroupTaskVersionFieldEvent {
    field: '$.task.version'
    value: number
  }

  export interface WireRolloutGroupTaskSeedFieldEvent {
    field: '$.task.seed'
    value: number
  }

  export interface WireRolloutGroupTaskParamsKeyFieldEvent {
    field: '$.task.params[].key'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface WireRolloutGroupTaskParamsNumberFieldEvent {
    field: '$.task.params[].number'
    value: number
    index: number
  }

  export interface WireRolloutGroupTaskParamsTextFieldEvent {
    field: '$.task.params[].text'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface WireRolloutGroupTaskParamsFlagFieldEvent {
    field: '$.task.params[].flag'
    value: boolean
    index: number
  }

  export interface WireRolloutGroupPromptFieldEvent {
    field: '$.prompt'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WireRolloutGroupCompletionsFieldEvent {
    field: '$.completions[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface WireRolloutGroupModelIdFieldEvent {
    field: '$.modelId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WireRolloutGroupRoundFieldEvent {
    field: '$.round'
    value: number
  }

  export interface WireRolloutGroupScoresFieldEvent {
    field: '$.scores[]'
    index: number
    value: number
  }

  export interface WireRolloutGroupCreatedAtMsFieldEvent {
    field: '$.createdAtMs'
    value: number
  }

  export interface WireRolloutGroupPolicyVersionFieldEvent {
    field: '$.policyVersion'
    value: number
  }

  export interface WireRolloutGroupTruncatedFieldEvent {
    field: '$.truncated[]'
    index: number
    value: boolean
  }

  export interface WireRolloutGroupTokenizerIdFieldEvent {
    field: '$.tokenizerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WireRolloutGroupTracesTokenIdsFieldEvent {
    field: '$.traces[].tokenIds[]'
    index: number
    value: number
  }

  export interface WireRolloutGroupTracesNegLogprobQFieldEvent {
    field: '$.traces[].negLogprobQ[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<WireRolloutGroup>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WireRolloutGroup.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireRolloutGroup>): WireRolloutGroup {
    return decodeMessage(buf, WireRolloutGroup.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireRolloutGroup>): Generator<WireRolloutGroupProtocolVersionFieldEvent | WireRolloutGroupTaskFamilyFieldEvent | WireRolloutGroupTaskVersionFieldEvent | WireRolloutGroupTaskSeedFieldEvent | WireRolloutGroupTaskParamsKeyFieldEvent | WireRolloutGroupTaskParamsNumberFieldEvent | WireRolloutGroupTaskParamsTextFieldEvent | WireRolloutGroupTaskParamsFlagFieldEvent | WireRolloutGroupPromptFieldEvent | WireRolloutGroupCompletionsFieldEvent | WireRolloutGroupModelIdFieldEvent | WireRolloutGroupRoundFieldEvent | WireRolloutGroupScoresFieldEvent | WireRolloutGroupCreatedAtMsFieldEvent | WireRolloutGroupPolicyVersionFieldEvent | WireRolloutGroupTruncatedFieldEvent | WireRolloutGroupTokenizerIdFieldEvent | WireRolloutGroupTracesTokenIdsFieldEvent | WireRolloutGroupTracesNegLogprobQFieldEvent> {
    return streamMessage(buf, WireRolloutGroup.codec(), opts)
  }
}

export interface WireRolloutBatch {
  protocolVersion: number
  groups: Uint8Array<ArrayBuffer>[]
}

export namespace WireRolloutBatch {
  let _codec: Codec<WireRolloutBatch>

  export const codec = (): Codec<WireRolloutBatch> => {
    if (_codec == null) {
      _codec = message<WireRolloutBatch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.protocolVersion != null && obj.protocolVersion !== 0)) {
          w.uint32(8)
          w.uint32(obj.protocolVersion)
        }

        if (obj.groups != null && obj.groups.length > 0) {
          for (const value of obj.groups) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          protocolVersion: 0,
          groups: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.protocolVersion = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.groups != null && obj.groups.length === opts.limits.groups) {
                throw new MaxLengthError('Decode error - repeated field "groups" had too many elements')
              }

              obj.groups.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          groups: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.protocolVersion`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.groups != null && obj.groups === opts.limits.groups) {
                throw new MaxLengthError('Streaming decode error - repeated field "groups" had too many elements')
              }

              yield {
                field: `${prefix}.groups[]`,
                index: obj.groups,
                value: reader.bytes()
              }

              obj.groups++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface WireRolloutBatchProtocolVersionFieldEvent {
    field: '$.protocolVersion'
    value: number
  }

  export interface WireRolloutBatchGroupsFieldEvent {
    field: '$.groups[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<WireRolloutBatch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WireRolloutBatch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireRolloutBatch>): WireRolloutBatch {
    return decodeMessage(buf, WireRolloutBatch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WireRolloutBatch>): Generator<WireRolloutBatchProtocolVersionFieldEvent | WireRolloutBatchGroupsFieldEvent> {
    return streamMessage(buf, WireRolloutBatch.codec(), opts)
  }
}
