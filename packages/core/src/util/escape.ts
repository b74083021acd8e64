// Control characters in text that came from outside (metadata, user-data) are shown
// escaped wherever nimbus shows them: the journal, cloud-init.log, status and directory
// names. Raw, an ESC drives the terminal that reads the log, a carriage return hides
// what came before it on the line, and a bidi override makes text read backwards.

/** C0 controls but tab and newline, DEL, C1 controls, line/paragraph separators and bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this is for
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** The text with every control character as \xNN (or \uNNNN); newlines kept unless `newlines` is false. */
export function escapeControl(text: string, newlines = true): string {
  const out = text.replace(CONTROL, escapeOne);
  return newlines ? out : out.replace(/\n/g, '\\n');
}

/** Whether the text holds a control character that escapeControl would change (newline and tab excepted). */
export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  const found = CONTROL.test(text);
  CONTROL.lastIndex = 0;
  return found;
}
