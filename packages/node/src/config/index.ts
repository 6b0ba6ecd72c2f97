export { NODE_CONFIG_SCHEMA } from './schema.js'
export { type FieldSpec, type Schema, flagName, envName } from './fields.js'
export { type NodeConfig, type PartialNodeConfig, type ConfigSources, resolveConfig, loadConfigFile, flattenConfig } from './resolve.js'
export { seedFromPeerId, seedConfigured } from './seed.js'
