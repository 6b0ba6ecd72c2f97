/**
 * One lock per process around onnxruntime's WebGPU provider. onnxruntime-node shares one WebGPU
 * device context between every session of a process, in every thread, and its provider is not
 * safe to drive from two threads at once (measured on Mesa's lavapipe adapter: train steps from
 * three worker threads at once failed with "No cached or pending pipeline for deferred
 * dispatch" or aborted the process; one at a time, 10 rounds of the same ran clean). Every
 * WebGPU session creation, run, release and GPU-buffer free takes this lock, one call at a time
 * (the lock is not re-entrant: callers wrap single onnxruntime calls only). It is a
 * SharedArrayBuffer word: the first thread to need it creates it, and whoever starts a worker
 * thread hands it over in the worker's data (`webgpuLockBuffer()` there, `adoptWebgpuLock()` in
 * the worker) — module state, because what it guards is per process too.
 */
let lock: Int32Array | undefined

type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false, value: string } | { async: true, value: Promise<string> }
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync

/** This process's lock word, to pass to a worker thread. */
export function webgpuLockBuffer (): SharedArrayBuffer {
  lock ??= new Int32Array(new SharedArrayBuffer(4))
  return lock.buffer as SharedArrayBuffer
}

/** In a worker thread: use the lock word its creator passed (no-op when absent). */
export function adoptWebgpuLock (buffer: SharedArrayBuffer | undefined): void {
  if (buffer instanceof SharedArrayBuffer) lock = new Int32Array(buffer)
}

/** Runs `fn` holding the process's WebGPU lock when `device` is `webgpu`; otherwise just runs it. */
export async function withWebgpuLock<T> (device: string | undefined, fn: () => Promise<T> | T): Promise<T> {
  if (device !== 'webgpu') return await fn()
  const word = new Int32Array(webgpuLockBuffer())
  while (Atomics.compareExchange(word, 0, 0, 1) !== 0) {
    const waited = waitAsync(word, 0, 1)
    if (waited.async) await waited.value
  }
  try {
    return await fn()
  } finally {
    Atomics.store(word, 0, 0)
    Atomics.notify(word, 0, 1)
  }
}
