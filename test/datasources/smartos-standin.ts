// A SmartOS host's metadata service for the tests, speaking the V2 protocol as the
// platform documents it: a bare newline gets "invalid command", "NEGOTIATE V2" gets
// "V2_OK", and each "V2 <len> <crc> <id> GET <b64 key>" / "<id> KEYS" line gets a framed
// SUCCESS or NOTFOUND. It listens on a pseudo-terminal (the KVM guest's /dev/ttyS1,
// mounted for the reader by serial-standin.ts's namespace runner) or on a Unix socket
// inside the test's temp root (an LX zone's metadata.sock). Every line it receives is
// reported back. Never a serial device or socket of this machine.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PYTHON3 } from '../helpers/python.js';

export const UUID = '4bf4e5f4-8c0c-11e9-8ba4-c3d1ab4bde3c';

/** A KVM guest's or zone's metadata as the host keeps it (every value a string; JSON keys as JSON text). */
export const METADATA: Record<string, string> = {
  'sdc:uuid': UUID,
  hostname: 'triton-vm',
  'sdc:hostname': 'triton-vm.inst.example',
  root_authorized_keys: 'ssh-rsa AAAAB3Nza smartos@host\n\n# old key\nssh-ed25519 AAAAC3Nz second@host\n',
  'cloud-init:user-data': '#cloud-config\nruncmd: [echo smartos]\n',
  'user-script': 'echo from user-script\n',
  'user-data': 'config for the user-script\n',
  'sdc:operator-script': '#!/bin/sh\necho operator\n',
  'sdc:datacenter_name': 'us-east-1',
  'sdc:dns_domain': 'inst.example',
  'sdc:nics': JSON.stringify([
    { interface: 'net0', mac: '90:b8:d0:ae:64:51', primary: true, ips: ['10.88.88.50/24'], gateways: ['10.88.88.2'], mtu: 1500 },
    { interface: 'net1', mac: '90:b8:d0:bd:4f:9c', ips: ['dhcp', 'addrconf'] },
  ]),
  'sdc:resolvers': JSON.stringify(['8.8.8.8', '8.8.4.4']),
  'sdc:routes': JSON.stringify([{ dst: '192.168.0.0/16', gateway: '10.88.88.3', linklocal: false }]),
};

const PY = `
import os, sys, json, base64, binascii, socket, tty
cfg = json.loads(sys.stdin.readline())
md = cfg['metadata']
def crc(s):
    return '%08x' % (binascii.crc32(s.encode()) & 0xffffffff)
def answer(line):
    if line == '':
        return 'invalid command'
    if line == 'NEGOTIATE V2':
        return 'V2_OK'
    parts = line.split(' ', 3)
    if len(parts) < 4 or parts[0] != 'V2':
        return 'invalid command'
    f = parts[3].split(' ')
    rid, op = f[0], f[1]
    if op == 'KEYS':
        val = '\\n'.join(md.keys())
    elif op == 'GET':
        val = md.get(base64.b64decode(f[2]).decode())
    else:
        return 'invalid command'
    body = rid + (' NOTFOUND' if val is None else ' SUCCESS ' + base64.b64encode(val.encode()).decode())
    return 'V2 %d %s %s' % (len(body), '0badc0de' if cfg.get('bad_checksum') and op == 'GET' else crc(body), body)
def serve(read, write):
    buf = b''
    while True:
        d = read()
        if not d:
            return
        buf += d
        while b'\\n' in buf:
            line, buf = buf.split(b'\\n', 1)
            text = line.decode('latin1')
            print(json.dumps(text), flush=True)
            if cfg.get('silent'):
                continue
            write((answer(text) + '\\n').encode())
if cfg['mode'] == 'pty':
    m, s = os.openpty()
    tty.setraw(s)
    # What an earlier reader left on the line: the guest must clear it first.
    os.write(m, b'stale half line')
    print(os.ttyname(s), flush=True)
    serve(lambda: os.read(m, 65536), lambda b: os.write(m, b))
else:
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(cfg['mode'])
    srv.listen(4)
    print('ready', flush=True)
    while True:
        c, _ = srv.accept()
        serve(lambda: c.recv(65536), c.sendall)
        c.close()
`;

export interface SmartosStandIn {
  /** The pty's path (mode pty) or "ready". */
  where: string;
  /** Every line received so far. */
  lines(): string[];
  stop(): void;
}

export interface SmartosOptions {
  metadata: Record<string, string>;
  /** GET answers carry a wrong checksum. */
  bad_checksum?: boolean;
  /** Reads and never answers. */
  silent?: boolean;
}

/** Starts the host side: `mode` is 'pty' or the socket's path. */
export async function smartosStandIn(mode: string, o: SmartosOptions): Promise<SmartosStandIn> {
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON3, ['-c', PY], { stdio: 'pipe' });
  child.stdin.write(`${JSON.stringify({ mode, ...o })}\n`);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
      else setTimeout(check, 5);
    };
    child.once('exit', (code) => reject(new Error(`SmartOS stand-in ended (${code}) before it was ready: ${err}`)));
    check();
  });
  return {
    where: first.trim(),
    lines: () =>
      out
        .split('\n')
        .slice(1, -1)
        .map((l) => JSON.parse(l) as string),
    stop: () => child.kill(),
  };
}
