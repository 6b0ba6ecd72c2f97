/**
 * Lifecycle of long-lived components. `stop()` is idempotent and releases everything the
 * component holds: sockets, sessions, database handles, timers.
 */
export interface Startable {
  start(): Promise<void>
  stop(): Promise<void>
  /** True between a completed `start()` and the next `stop()`. */
  isStarted(): boolean
}

/** True when `value` implements `Startable`. */
export function isStartable (value: unknown): value is Startable {
  return value != null &&
    typeof (value as Startable).start === 'function' &&
    typeof (value as Startable).stop === 'function' &&
    typeof (value as Startable).isStarted === 'function'
}

/** Starts components in order; if one fails, stops the ones already started and rethrows. */
export async function startAll (...components: Startable[]): Promise<void> {
  const started: Startable[] = []
  try {
    for (const c of components) {
      await c.start()
      started.push(c)
    }
  } catch (err) {
    await stopAll(...started)
    throw err
  }
}

/** Stops components in reverse order, stopping all of them even if some throw; rethrows the first error. */
export async function stopAll (...components: Startable[]): Promise<void> {
  let first: unknown
  for (const c of [...components].reverse()) {
    try {
      await c.stop()
    } catch (err) {
      first ??= err
    }
  }
  if (first !== undefined) throw first
}
