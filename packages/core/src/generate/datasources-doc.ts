// docs/datasources.md's table of datasources, drawn from the registry's records, so
// the page says what the code does: names, when each is found, its place in the
// default order, its network config and the options it reads.
import { DATASOURCES } from '../datasources/registry.js';
import { NOT_IMPLEMENTED } from '../datasources/not-implemented.js';
import type { Datasource } from '../datasources/types.js';
import { codeList } from './markdown.js';
import { replaceRegion } from './region.js';
import type { GeneratedFile } from './types.js';

const DOC = 'docs/datasources.md';
const REGION = 'datasources-table';

/** Text made safe for one Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function network(d: Datasource): string {
  return d.network.formats.length === 0 ? d.network.from : `${d.network.formats.join(', ')}: ${d.network.from}`;
}

/** The region's Markdown: one row per record (in the order given), their options, and what is not implemented. */
export function renderDatasourcesTable(records: readonly Datasource[], notImplemented: readonly (readonly [name: string, order: number])[]): string {
  const total = records.length + notImplemented.length;
  const rows = records.map((d) => `| ${d.name} | ${codeList(d.aliases, '—')} | ${d.needs} | ${d.order} of ${total} | ${cell(d.detectedBy)} | ${cell(network(d))} |`);
  const options = records.flatMap((d) => d.options.map((o) => `| ${d.name} | \`${o.key}\` | ${cell(o.meaning)} | ${o.default === undefined ? '—' : `\`${cell(o.default)}\``} |`));
  const lacking = [...notImplemented].sort((a, b) => a[1] - b[1]).map(([n, o]) => `${n} (${o})`);
  return [
    "| datasource | also named | needs | place in cloud-init's order | found when | network config |",
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Options, read from `datasource: {<datasource>: {...}}` in cloud.cfg:',
    '',
    '| datasource | key | meaning | default (nimbus) |',
    '| --- | --- | --- | --- |',
    ...options,
    '',
    lacking.length === 0
      ? "Every datasource of cloud-init's default `datasource_list` is implemented; any other name is reported as `not supported: datasource NAME`."
      : `Not implemented yet, reported as \`not supported: datasource NAME\` (place in cloud-init's order in brackets): ${lacking.join(', ')}.`,
    '',
  ].join('\n');
}

export const DATASOURCES_DOC: GeneratedFile = {
  path: DOC,
  render: (current) => replaceRegion(current ?? '', REGION, renderDatasourcesTable(DATASOURCES, NOT_IMPLEMENTED), DOC),
};
