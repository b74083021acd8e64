// A generated region inside a hand-written file (a table in a doc page): the text
// between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` belongs to the
// generator, everything around it to people.

export class RegionError extends Error {}

function markers(name: string): { open: string; close: string } {
  return { open: `<!-- generated:${name} (npm run generate; do not edit by hand) -->`, close: `<!-- /generated:${name} -->` };
}

/** `text` with region NAME's body replaced; the markers must already be there, once each. */
export function replaceRegion(text: string, name: string, body: string, file: string): string {
  const { open, close } = markers(name);
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start || text.indexOf(open, start + 1) >= 0) {
    throw new RegionError(`${file}: needs one "${open}" line followed by one "${close}" line for the generated ${name}`);
  }
  const inner = body.endsWith('\n') ? body : `${body}\n`;
  return `${text.slice(0, start + open.length)}\n${inner}${text.slice(end)}`;
}
