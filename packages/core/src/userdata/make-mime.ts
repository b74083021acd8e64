// `devel make-mime`: joins files into the multipart user-data a user would otherwise
// build with a Python script, each as text/<TYPE> with its file name. The types known
// are the ones cloud-init lists; another type is refused unless forced, as there.
import { composeMime } from './mime-compose.js';
import { MimeError } from './mime.js';

/** The content types cloud-init's part handlers know (without "text/"), sorted. */
export const MAKE_MIME_TYPES: readonly string[] = [
  'cloud-boothook',
  'cloud-config',
  'cloud-config-archive',
  'cloud-config-jsonp',
  'jinja2',
  'part-handler',
  'x-include-once-url',
  'x-include-url',
  'x-shellscript',
  'x-shellscript-per-boot',
  'x-shellscript-per-instance',
  'x-shellscript-per-once',
];

export interface AttachSpec {
  file: string;
  /** As given: "cloud-config" or "text/cloud-config". */
  type: string;
}

export class MakeMimeError extends Error {}

/** Reads one `-a FILE:TYPE` argument; the type follows the first ':'. */
export function parseAttachArg(arg: string): AttachSpec {
  const colon = arg.indexOf(':');
  if (colon <= 0 || colon === arg.length - 1) throw new MakeMimeError(`-a ${JSON.stringify(arg)}: expected FILE:TYPE, e.g. config.yaml:cloud-config`);
  return { file: arg.slice(0, colon), type: arg.slice(colon + 1).trim() };
}

export interface Attachment extends AttachSpec {
  content: Buffer;
}

export interface MakeMimeResult {
  message: Buffer;
  /** One line per attachment whose type cloud-init would not know. */
  unknownTypes: string[];
}

function contentType(type: string): string {
  const t = type.toLowerCase();
  return t.includes('/') ? t : `text/${t}`;
}

/**
 * Builds the message. Attachments are text: content that is not UTF-8 is refused (it
 * would be labelled charset utf-8). Unknown types are reported, not refused: the caller
 * decides (refuse unless --force).
 */
export function makeMime(attachments: readonly Attachment[]): MakeMimeResult {
  const unknownTypes: string[] = [];
  attachments.forEach((a, i) => {
    const ct = contentType(a.type);
    if (!ct.startsWith('text/') || !MAKE_MIME_TYPES.includes(ct.slice(5))) unknownTypes.push(`attachment ${i + 1} (${a.file}): content type "${ct}" is not one nimbus or cloud-init handles`);
    if (Buffer.from(a.content.toString('utf8'), 'utf8').compare(a.content) !== 0) throw new MakeMimeError(`${a.file}: not UTF-8 text (make-mime attaches text files)`);
  });
  try {
    const message = composeMime(attachments.map((a) => ({ contentType: contentType(a.type), body: a.content, filename: a.file.replace(/^.*\//, '') })));
    return { message, unknownTypes };
  } catch (e) {
    if (e instanceof MimeError) throw new MakeMimeError(e.message);
    throw e;
  }
}
