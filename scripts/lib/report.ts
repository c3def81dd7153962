// Small printing helpers for the benchmark: Markdown tables (readable in a terminal and pasted as
// is into BENCHMARKS.md) and the machine the figures came from.
import { cpus, loadavg, totalmem, type as osType, release as osRelease } from 'node:os';

export function table(header: string[], rows: Array<Array<string | number>>, alignRight: boolean[] = []): string {
  const text = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const pad = (cell: string, i: number): string => (alignRight[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!));
  const line = (cells: string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (alignRight[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...text.map(line)].join('\n');
}

export function machine(): string {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 1024 ** 3).toFixed(1);
  // The load shows whether other work shared the machine, which widens the spread of wall times.
  const load = loadavg()[0]!.toFixed(2);
  return `${model}, ${list.length} cores, ${gib} GiB memory, Node ${process.version}, ${osType()} ${osRelease()}; load average ${load} at start`;
}

export const ms = (value: number): string => `${Math.round(value)} ms`;
export const kib = (bytes: number): string =>
  bytes < 10 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;
export const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(a / b < 10 ? 1 : 0)}x`;
