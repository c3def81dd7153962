/**
 * Named server profiles: one per point where public sources leave a real server's answer open
 * (issue 7). Each is the default settings plus the one behaviour it names.
 */
import type { ProfileName, ServerProfile } from './types.js';

const BASE: Required<ServerProfile> = {
  isDraft: 'accept',
  exceedsTotalCount: 'never',
  totalCountCap: 2000,
  escaping: 'any',
  phaseIds: 'numeric',
  numericIds: false,
  groups: true,
  stockWorkspace: false
};

export const PROFILES: Record<ProfileName, ServerProfile> = {
  default: {},
  'stock-workspace': { stockWorkspace: true },
  'is-draft-tech-preview': { isDraft: 'needs-tech-preview' },
  'exceeds-never': { exceedsTotalCount: 'never' },
  'exceeds-when-paged': { exceedsTotalCount: 'when-paged' },
  'exceeds-limit-above-total': { exceedsTotalCount: 'limit-above-total' },
  'exceeds-capped': { exceedsTotalCount: 'capped', totalCountCap: 2000 },
  'escape-any': { escaping: 'any' },
  'escape-ci-sdk': { escaping: 'ci-sdk' },
  'escape-none': { escaping: 'none' },
  'logical-ids': { phaseIds: 'logical' },
  'numeric-json-ids': { numericIds: true },
  'no-groups': { groups: false }
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isProfileName(name: string): name is ProfileName {
  return Object.prototype.hasOwnProperty.call(PROFILES, name);
}

/** Every setting of a profile given by name or as settings; an unknown name throws. */
export function resolveProfile(profile: ProfileName | ServerProfile | undefined): Required<ServerProfile> {
  if (profile === undefined) return { ...BASE };
  if (typeof profile === 'string') {
    if (!isProfileName(profile)) throw new Error(`unknown simulator profile '${profile}' (one of ${PROFILE_NAMES.join(', ')})`);
    return { ...BASE, ...PROFILES[profile] };
  }
  const defined = Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined));
  return { ...BASE, ...defined };
}
