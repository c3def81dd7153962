/** The Octane REST simulator: start it with startSimulator(); see simulator/README.md. */
export { startSimulator } from './server.js';
export type { SimulatorOptions, Simulator, SimStore, SimEntity, Fault, LoggedRequest, SessionExpiryCode, ServerProfile, ProfileName } from './types.js';
export { PROFILES, PROFILE_NAMES, resolveProfile } from './profiles.js';
export { parseQuery, parseQueryParameter, escapeQueryString, QuerySyntaxError } from './query/parser.js';
export type { QueryNode, QueryValue, CompareOp, Escaping, ParseOptions } from './query/parser.js';
export { matches, compileQuery } from './query/evaluate.js';
export type { RefResolver, EntityLike } from './query/evaluate.js';
export { TRICKY_RELEASE } from './seed.js';
export { DEFAULT_LIMIT, MAX_LIMIT } from './routes.js';
