// A file (or a region of one) that the repository keeps in generated form: the docs
// tables drawn from the registries, the SysV scripts drawn from the boot order.

export interface GeneratedFile {
  /** Repository-relative path. */
  readonly path: string;
  /** File mode when the generator creates it (scripts are 0755). */
  readonly mode?: number;
  /** The file as it should be, given its current text (null when absent): whole files ignore it. */
  render(current: string | null): string;
}
