// The same gate done the way the official @microfocus/alm-octane-js-rest-sdk README shows: sign in,
// get the defects with a Query filter, page through them all with limit/offset to count and list
// them, sign out. Run by scripts/bench.ts as its own Node process, like the action.
// Pages are as large as official code makes them (SDK_PAGE_SIZE, default 1000), or, with
// SDK_PAGE_SIZE=server, the README's plain call without limit(), which gets the server's default page.
// The filter names the release and phases directly (a cross filter), so the SDK needs no look-ups.
// Prints one line `RESULT {"count":N,"listed":M,"pages":P}` at the end.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Octane, Query } = require('@microfocus/alm-octane-js-rest-sdk');

const env = process.env;
const PAGE_SIZE = env.SDK_PAGE_SIZE === 'server' ? undefined : Number(env.SDK_PAGE_SIZE ?? '1000');
const LIST_LIMIT = 100;
const SEVERITY_RANK = ['urgent', 'very_high', 'high', 'medium', 'low'].map((s) => `list_node.severity.${s}`);

const octane = new Octane({
  server: env.OCTANE_URL,
  sharedSpace: Number(env.SHARED_SPACE_ID),
  workspace: Number(env.WORKSPACE_ID),
  user: env.CLIENT_ID,
  password: env.CLIENT_SECRET
});

const phases = env.PHASE_LOGICAL_NAMES.split(',');
let phaseFilter = Query.field('logical_name').equal(phases[0]);
for (const phase of phases.slice(1)) phaseFilter = phaseFilter.or(Query.field('logical_name').equal(phase));
const query = Query.field('release')
  .equal(Query.field('name').equal(env.RELEASE_NAME))
  .and(Query.field('phase').equal(phaseFilter))
  .build();

await octane.authenticate();
const defects = [];
let pages = 0;
for (let offset = 0; ;) {
  let request = octane.get(Octane.entityTypes.defects).fields('name', 'phase', 'severity').query(query).orderBy('id');
  if (PAGE_SIZE !== undefined) request = request.limit(PAGE_SIZE);
  const page = await request.offset(offset).execute();
  pages++;
  defects.push(...page.data);
  offset += page.data.length;
  if (page.data.length === 0 || offset >= page.total_count) break;
}
const rank = (d) => {
  const i = SEVERITY_RANK.indexOf(d.severity?.logical_name);
  return i < 0 ? SEVERITY_RANK.length : i;
};
const listed = [...defects].sort((a, b) => rank(a) - rank(b)).slice(0, LIST_LIMIT);
await octane.signOut();
console.log(`RESULT ${JSON.stringify({ count: defects.length, listed: listed.length, pages })}`);
