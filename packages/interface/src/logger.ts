/** A scoped logger (`murmur:net:gossip`). Packages log through this, never through `console`. */
export interface Logger {
  (message: string, ...args: unknown[]): void
  error(message: string | Error, ...args: unknown[]): void
  trace(message: string, ...args: unknown[]): void
  /** True when this logger's scope is enabled; guard expensive formatting with it. */
  readonly enabled: boolean
  /** A child logger: `murmur:net` → `murmur:net:<name>`. */
  child(name: string): Logger
}

/** Options of `createLogger`. */
export interface LoggerInit {
  /** Decides whether a scope prints info/trace lines; errors always print. Default: none. */
  enabled?: (scope: string) => boolean
  /** Where formatted lines go (the CLI passes stderr). Default: discard. */
  write?: (line: string) => void
}

/** A logger that discards everything; the default component logger in tests and libraries. */
export function noopLogger (scope = 'murmur'): Logger {
  return createLogger(scope)
}

/**
 * Creates a logger for `scope`. Formatting is `%s`-free on purpose: arguments are appended,
 * objects as JSON, so log lines stay greppable.
 */
export function createLogger (scope: string, init: LoggerInit = {}): Logger {
  const write = init.write
  const isEnabled = init.enabled ?? (() => false)
  const enabled = write !== undefined && isEnabled(scope)
  const traceEnabled = write !== undefined && isEnabled(`${scope}:trace`)
  const emit = (level: string, message: string, args: unknown[]): void => {
    write?.(`${scope} ${level}${message}${args.map(a => ' ' + formatArg(a)).join('')}`)
  }
  const log = ((message: string, ...args: unknown[]): void => {
    if (enabled) emit('', message, args)
  }) as Logger
  log.error = (message, ...args) => {
    if (write === undefined) return
    const text = message instanceof Error ? `${message.name}: ${message.message}` : message
    emit('error: ', text, args)
  }
  log.trace = (message, ...args) => {
    if (traceEnabled) emit('trace: ', message, args)
  }
  Object.defineProperty(log, 'enabled', { value: enabled })
  log.child = (name: string) => createLogger(`${scope}:${name}`, init)
  return log
}

/** Builds an `enabled` predicate from a comma-separated pattern list like `murmur:net*,murmur:node`. */
export function scopeMatcher (patterns: string): (scope: string) => boolean {
  const regexes = patterns.split(',').map(p => p.trim()).filter(p => p !== '').map(p =>
    new RegExp('^' + p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'))
  return (scope) => regexes.some(r => r.test(scope))
}

function formatArg (arg: unknown): string {
  if (typeof arg === 'string') return arg
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`
  try {
    return JSON.stringify(arg, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v) ?? String(arg)
  } catch {
    return String(arg)
  }
}
