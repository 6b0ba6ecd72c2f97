/**
 * @packageDocumentation
 * The SAPO node: one round of generate → score → share → sample → shape → train → checkpoint,
 * its configuration schema and its lifecycle.
 */
export * from './config/index.js'
export { InvalidConfigError, ConfigFileError, RoundFailedError } from './errors.js'
