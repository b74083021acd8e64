// A stand-in of VMware's guest tools for the VMware and OVF datasource tests: an Exec
// that answers `vmware-rpctool "info-get guestinfo.KEY"` (and `vmtoolsd --cmd ...`)
// from the test's own guestinfo table as the tools do (exit 1 and "No value found" for
// an unset key) and keeps `info-set` in it. Nothing runs, nothing of the root is run.
import type { Exec, ExecOptions, ExecResult } from '../../packages/core/src/host/exec.js';
import type { Host } from '../../packages/core/src/host/host.js';
import { rootWithDmi, testHost } from './helpers.js';

export const VM_DMI = { product_name: 'VMware7,1', sys_vendor: 'VMware, Inc.', product_uuid: '4207E6F1-AAAA-BBBB-CCCC-0123456789AB' };

export interface Stand {
  /** guestinfo as the hypervisor holds it. */
  info: Record<string, string>;
  tools?: ('vmware-rpctool' | 'vmtoolsd')[];
  /** A tool that fails every call with this result. */
  failing?: Partial<Record<'vmware-rpctool' | 'vmtoolsd', ExecResult>>;
}

/** A host whose guest tools answer from `s.info`; every call is kept in `ran`. */
export function vmHost(s: Stand, dmi: Record<string, string> = VM_DMI, root: string = rootWithDmi(dmi)): { host: Host; ran: string[][]; root: string } {
  const base = testHost(root);
  const ran: string[][] = [];
  const tools = s.tools ?? ['vmware-rpctool'];
  const exec = {
    mode: 'host',
    pathFor: (p: string) => `${root}${p}`,
    has: (cmd: string) => (tools as string[]).includes(cmd),
    run(argv: readonly string[], _opts?: ExecOptions): ExecResult {
      ran.push([...argv]);
      const tool = argv[0] as 'vmware-rpctool' | 'vmtoolsd';
      const failure = s.failing?.[tool];
      if (failure) return failure;
      const rpc = (tool === 'vmtoolsd' ? argv[2] : argv[1]) as string;
      const get = /^info-get guestinfo\.(.+)$/.exec(rpc);
      if (get) {
        const v = s.info[get[1] as string];
        return v === undefined ? { code: 1, stdout: '', stderr: 'No value found\n', recorded: false } : { code: 0, stdout: `${v}\n`, stderr: '', recorded: false };
      }
      const set = /^info-set guestinfo\.(\S+) (.*)$/s.exec(rpc);
      if (set) {
        s.info[set[1] as string] = set[2] as string;
        return { code: 0, stdout: '', stderr: '', recorded: false };
      }
      return { code: 1, stdout: '', stderr: 'Unknown command\n', recorded: false };
    },
  } as unknown as Exec;
  return { host: { ...base, exec }, ran, root };
}
