// Contract only: the reading and validation is implemented below the types.
import type { Operator } from './operators.js';

export type Mode = 'create-defect' | 'gate';

/** How to reach Octane; everything the client needs and nothing about GitHub. */
export interface ConnectionSettings {
  /** Server URL, scheme + host + optional port + optional path prefix, no trailing slash, no query. */
  url: string;
  sharedSpaceId: string;
  workspaceId: string;
  clientId: string;
  clientSecret: string;
  /** Per-request timeout. Input `timeout-seconds`, default 30. */
  timeoutMs: number;
  /** Retries after the first attempt for retryable failures. Input `retries`, default 4. */
  retries: number;
  /** Extra trusted CA certificates, PEM text (input `ca-certificate`, text or a path to a file). */
  caCertificate?: string;
}

interface CommonSettings {
  connection: ConnectionSettings;
  releaseName: string;
  dryRun: boolean;
}

export interface CreateDefectSettings extends CommonSettings {
  mode: 'create-defect';
  defectName: string;
  defectDescription: string;
  /** Severity name or logical name; undefined when not given. */
  severity?: string;
  /** Parsed `extra-fields`; never contains name, parent or release. */
  extraFields: Record<string, unknown>;
  dedupe: boolean;
  addRunContext: boolean;
}

export interface GateSettings extends CommonSettings {
  mode: 'gate';
  phases: string[];
  /** Empty = every severity. */
  severities: string[];
  threshold: number;
  operator: Operator;
  listLimit: number;
  failOnGate: boolean;
}

export type Settings = CreateDefectSettings | GateSettings;

/** One thing wrong with the inputs; `input` is the input's name as written in action.yml. */
export interface InputProblem {
  input: string;
  message: string;
}
