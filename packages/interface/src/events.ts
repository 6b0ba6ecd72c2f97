/**
 * A typed `EventTarget`: `new TypedEventEmitter<{ 'rollout:received': RolloutGroup }>()`.
 * Listeners receive `CustomEvent<Detail>`. Event names follow `noun:verb`.
 */
type Listener = (event: Event) => void

export class TypedEventEmitter<EventMap extends Record<string, unknown>> extends EventTarget {
  /** Adds a typed listener; returns a function that removes it. */
  on<K extends keyof EventMap & string> (type: K, listener: (event: CustomEvent<EventMap[K]>) => void, options?: { once?: boolean, signal?: AbortSignal }): () => void {
    const wrapped = listener as unknown as Listener
    this.addEventListener(type, wrapped, options)
    return () => { this.removeEventListener(type, wrapped) }
  }

  /** Dispatches `detail` to the listeners of `type`. A throwing listener does not stop the others. */
  emit<K extends keyof EventMap & string> (type: K, detail: EventMap[K]): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  /** Resolves with the next event's detail of `type`, or rejects when `signal` fires. */
  async once<K extends keyof EventMap & string> (type: K, options: { signal?: AbortSignal } = {}): Promise<EventMap[K]> {
    const { signal } = options
    return await new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.removeEventListener(type, onEvent)
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'))
      }
      const onEvent = ((event: CustomEvent<EventMap[K]>) => {
        signal?.removeEventListener('abort', onAbort)
        resolve(event.detail)
      }) as unknown as Listener
      if (signal?.aborted === true) { onAbort(); return }
      this.addEventListener(type, onEvent, { once: true })
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}
