import { describe, expect, it } from 'vitest'
import { InvalidTaskParamsError, UnknownTaskError } from '../src/errors.js'
import { resolveTask, verify } from '../src/registry.js'
import { taskKey, validateTaskRef } from '../src/params.js'
import type { TaskRef } from '../src/types.js'

const ok: TaskRef = { family: 'add', version: 1, seed: 1, params: {} }

function expectError (fn: () => unknown, code: string, field: string): void {
  let caught: unknown
  try { fn() } catch (err) { caught = err }
  expect(caught).toBeInstanceOf(code === 'ERR_UNKNOWN_TASK' ? UnknownTaskError : InvalidTaskParamsError)
  expect(caught).toMatchObject({ code, field })
}

describe('typed errors', () => {
  it('unknown family and unknown version', () => {
    expectError(() => resolveTask({ ...ok, family: 'nope' }), 'ERR_UNKNOWN_TASK', 'family')
    expectError(() => resolveTask({ ...ok, version: 2 }), 'ERR_UNKNOWN_TASK', 'version')
    expectError(() => verify({ ...ok, family: 'nope' }, '1'), 'ERR_UNKNOWN_TASK', 'family')
  })

  it.each([-1, 1.5, 2 ** 32, Number.NaN, Infinity, '1' as unknown as number])('seed %s', (seed) => {
    expectError(() => resolveTask({ ...ok, seed }), 'ERR_INVALID_TASK_PARAMS', 'seed')
  })

  it('params out of range, wrong type, unknown keys, bad enum, cross-field', () => {
    expectError(() => resolveTask({ ...ok, params: { digits: 7 } }), 'ERR_INVALID_TASK_PARAMS', 'params.digits')
    expectError(() => resolveTask({ ...ok, params: { digits: 0 } }), 'ERR_INVALID_TASK_PARAMS', 'params.digits')
    expectError(() => resolveTask({ ...ok, params: { digits: 2.5 } }), 'ERR_INVALID_TASK_PARAMS', 'params.digits')
    expectError(() => resolveTask({ ...ok, params: { digits: '2' } }), 'ERR_INVALID_TASK_PARAMS', 'params.digits')
    expectError(() => resolveTask({ ...ok, params: { pad: 1 } }), 'ERR_INVALID_TASK_PARAMS', 'params.pad')
    expectError(() => resolveTask({ ...ok, params: { colour: 1 } }), 'ERR_INVALID_TASK_PARAMS', 'params.colour')
    expectError(() => resolveTask({ ...ok, params: { format: 'xml' } }), 'ERR_INVALID_TASK_PARAMS', 'params.format')
    expectError(() => resolveTask({ ...ok, params: JSON.parse('{"__proto__": 1}') }), 'ERR_INVALID_TASK_PARAMS', 'params.__proto__')
    expectError(() => resolveTask({ ...ok, params: { 'a b': 1 } }), 'ERR_INVALID_TASK_PARAMS', 'params.a b')
    const base = { family: 'base_conversion', version: 1, seed: 0 }
    expectError(() => resolveTask({ ...base, params: { from: 1 } }), 'ERR_INVALID_TASK_PARAMS', 'params.from')
    expectError(() => resolveTask({ ...base, params: { from: 8, to: 8 } }), 'ERR_INVALID_TASK_PARAMS', 'params.to')
    const cal = { family: 'calendar_arithmetic', version: 1, seed: 0 }
    expectError(() => resolveTask({ ...cal, params: { minYear: 2050, maxYear: 2000 } }), 'ERR_INVALID_TASK_PARAMS', 'params.maxYear')
  })

  it('malformed references from untrusted data', () => {
    expectError(() => validateTaskRef(null), 'ERR_INVALID_TASK_PARAMS', 'ref')
    expectError(() => validateTaskRef([]), 'ERR_INVALID_TASK_PARAMS', 'ref')
    expectError(() => validateTaskRef({ ...ok, family: '' }), 'ERR_INVALID_TASK_PARAMS', 'family')
    expectError(() => validateTaskRef({ ...ok, family: 'x'.repeat(65) }), 'ERR_INVALID_TASK_PARAMS', 'family')
    expectError(() => validateTaskRef({ ...ok, version: 0 }), 'ERR_INVALID_TASK_PARAMS', 'version')
    expectError(() => validateTaskRef({ ...ok, params: [] }), 'ERR_INVALID_TASK_PARAMS', 'params')
    expectError(() => validateTaskRef({ ...ok, params: { a: null } }), 'ERR_INVALID_TASK_PARAMS', 'params.a')
    expectError(() => validateTaskRef({ ...ok, params: { a: { b: 1 } } }), 'ERR_INVALID_TASK_PARAMS', 'params.a')
    expectError(() => validateTaskRef({ ...ok, params: { a: 'x'.repeat(65) } }), 'ERR_INVALID_TASK_PARAMS', 'params.a')
    expectError(() => validateTaskRef({ ...ok, params: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }), 'ERR_INVALID_TASK_PARAMS', 'params')
    expect(validateTaskRef({ family: 'add', version: 1, seed: 3 })).toEqual({ family: 'add', version: 1, seed: 3, params: {} })
  })

  it('validateTaskRef returns a detached plain copy', () => {
    const params = { digits: 3 }
    const ref = validateTaskRef({ ...ok, params })
    params.digits = 5
    expect(ref.params.digits).toBe(3)
  })
})

describe('taskKey', () => {
  it('is independent of parameter order and distinguishes values and types', () => {
    const a = taskKey({ family: 'add', version: 1, seed: 5, params: { digits: 2, pad: true } })
    const b = taskKey({ family: 'add', version: 1, seed: 5, params: { pad: true, digits: 2 } })
    expect(a).toBe(b)
    expect(taskKey({ family: 'add', version: 1, seed: 5, params: { digits: '2' } })).not.toBe(taskKey({ family: 'add', version: 1, seed: 5, params: { digits: 2 } }))
    expect(taskKey({ family: 'add', version: 1, seed: 6, params: {} })).not.toBe(taskKey({ family: 'add', version: 1, seed: 5, params: {} }))
    expect(taskKey({ family: 'add', version: 2, seed: 5, params: {} })).not.toBe(taskKey({ family: 'add', version: 1, seed: 5, params: {} }))
  })
})
