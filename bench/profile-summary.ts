// Summarizes a V8 .cpuprofile (from the server child's 'profile-start'/'profile-stop', or from
// `node --cpu-prof`): self time per function and per package/file, busiest first.
//   node dist/bench/profile-summary.js <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Sampled time not in (idle): what the JS thread was busy with. */
  busyMs: number;
  functions: ProfileLine[];
  groups: ProfileLine[];
}

/** Where a function lives: an npm package, a Parley source file, node internals, or a V8 pseudo-frame. */
function groupOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/dist\/((?:src|bench)\/.*)$/.exec(url) ?? /\/((?:src|bench)\/[^/].*)$/.exec(url);
  if (own) return own[1]!;
  return url;
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let totalUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    totalUs += dt;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const fns = new Map<string, number>();
  const groups = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') idleUs += us;
    const g = groupOf(url, functionName || '(anonymous)');
    const key = `${functionName || '(anonymous)'}${url ? `  ${g}:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const lines = (m: Map<string, number>): ProfileLine[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / Math.max(1, totalUs) }));
  return { totalMs: totalUs / 1000, busyMs: busyUs / 1000, functions: lines(fns), groups: lines(groups) };
}

export function formatSummary(s: ProfileSummary, top = 15): string {
  const out: string[] = [];
  out.push(
    `  sampled ${(s.totalMs / 1000).toFixed(1)} s, JS thread busy ${((s.busyMs / Math.max(1, s.totalMs)) * 100).toFixed(0)}%`,
  );
  out.push('  self time by package / file:');
  for (const l of s.groups.slice(0, top)) out.push(`    ${(l.share * 100).toFixed(1).padStart(5)}%  ${l.name}`);
  out.push('  self time by function:');
  for (const l of s.functions.slice(0, top)) out.push(`    ${(l.share * 100).toFixed(1).padStart(5)}%  ${l.name}`);
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 25);
  process.stdout.write(formatSummary(summarizeProfile(file, top), top) + '\n');
}
