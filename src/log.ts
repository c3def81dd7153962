/**
 * The part of @actions/core that the modes use to talk to the reader of the job log.
 * Passed in, so that a test can hand over a recorder instead of mocking modules.
 */
export interface Log {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}
