import { AbortError, TimeoutError } from './errors.js'

/** Options accepted by every long-running or I/O-bound public method. */
export interface AbortOptions {
  signal?: AbortSignal
}

/** Throws an `AbortError` (or `TimeoutError` for a timeout signal) when `signal` has fired. */
export function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortReason(signal)
}

/** The typed error a fired signal stands for. */
export function abortReason (signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason instanceof AbortError || reason instanceof TimeoutError) return reason
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TimeoutError(reason.message, { cause: reason })
  }
  return new AbortError(undefined, { cause: reason })
}

/**
 * Combines a caller's optional signal with an optional timeout in milliseconds. Returns
 * undefined when neither is given, so callers pay nothing for the common case.
 */
export function withTimeout (signal: AbortSignal | undefined, timeoutMs?: number): AbortSignal | undefined {
  if (timeoutMs === undefined) return signal
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout])
}

/** Resolves after `ms` milliseconds, or rejects with an `AbortError` when `signal` fires first. */
export async function sleep (ms: number, options: AbortOptions = {}): Promise<void> {
  const { signal } = options
  throwIfAborted(signal)
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(abortReason(signal as AbortSignal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
