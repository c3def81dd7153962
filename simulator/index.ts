/** The Octane REST simulator: start it with startSimulator(); see simulator/README.md. */
export { startSimulator } from './server.js';
export type { SimulatorOptions, Simulator, SimEntity, Fault, LoggedRequest, ServerProfile, ProfileName } from './types.js';
export { PROFILES, PROFILE_NAMES } from './profiles.js';
export { parseQuery, parseQueryParameter, escapeQueryString, QuerySyntaxError } from './query/parser.js';
export type { QueryNode } from './query/parser.js';
export { matches } from './query/evaluate.js';
export { TRICKY_RELEASE } from './seed.js';
