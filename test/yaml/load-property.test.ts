// No text makes loadYaml throw anything but YamlError (with the file named).
import { test } from 'node:test';
import fc from 'fast-check';
import { loadYaml, YamlError } from '../../packages/core/src/index.js';

test('property: loadYaml throws nothing but YamlError', () => {
  const piece = fc.constantFrom(
    'a',
    ':',
    ': ',
    '- ',
    '\n',
    '  ',
    '\t',
    '[',
    ']',
    '{',
    '}',
    ',',
    '&x ',
    '*x',
    '<<: ',
    '!!binary ',
    '!!int ',
    '!!float ',
    '!!python/unicode ',
    '!foo ',
    '? ',
    '|',
    '>',
    '"',
    "'",
    '#',
    '---\n',
    '...\n',
    '=',
    '0644',
    '1:30',
    'yes',
    '~',
    '%YAML 1.1\n',
    '%TAG ! tag:x,2000:\n',
    '2002-12-14',
    '.inf',
    '\\x',
    '\u00e9',
  );
  const text = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.array(piece, { maxLength: 40 }).map((a) => a.join('')),
  );
  fc.assert(
    fc.property(text, (src) => {
      try {
        loadYaml(src, 'f.yaml');
      } catch (e) {
        if (!(e instanceof YamlError && e.message.startsWith('f.yaml'))) throw e;
      }
    }),
    { numRuns: 5000 },
  );
});
