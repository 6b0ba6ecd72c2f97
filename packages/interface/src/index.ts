/**
 * @packageDocumentation
 * The small, dependency-free contracts every murmur package shares: the error base class,
 * abort options, the `Startable` lifecycle, the logger type, a typed event emitter and the one
 * seeded random generator (exportable state).
 */
export { MurmurError, AbortError, TimeoutError, InvalidArgumentError, NotStartedError, hasErrorCode } from './errors.js'
export { type AbortOptions, throwIfAborted, abortReason, withTimeout, sleep } from './abort.js'
export { type Startable, isStartable, startAll, stopAll } from './startable.js'
export { type Logger, type LoggerInit, createLogger, noopLogger, scopeMatcher } from './logger.js'
export { TypedEventEmitter } from './events.js'
export { createRng, hashSeeds, type Rng, type RngState } from './rng.js'
