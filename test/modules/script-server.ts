// An installer script served on 127.0.0.1 by a child process, so that stages run with
// spawnSync (which blocks this process's event loop) can still download it. Every
// request's path is appended to a file the test reads.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/temp-root.js';

export interface ScriptServer {
  url: string;
  /** The paths requested so far. */
  hits(): string[];
  close(): void;
}

const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const [body, log, status] = process.argv.slice(1);
const s = http.createServer((req, res) => {
  fs.appendFileSync(log, req.url + '\\n');
  res.writeHead(Number(status), { 'content-type': 'text/x-sh' });
  res.end(fs.readFileSync(body));
});
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;

/** Serves `script` (with HTTP `status`) at every path until close(). */
export async function serveScript(script: string, status = 200): Promise<ScriptServer> {
  const dir = tempDir('nimbus-script-');
  const body = path.join(dir, 'script');
  const log = path.join(dir, 'hits');
  fs.writeFileSync(body, script);
  fs.writeFileSync(log, '');
  const child = spawn(process.execPath, ['-e', SERVER, body, log, String(status)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (c) => reject(new Error(`the script server exited (${c})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean),
    close: () => {
      child.kill();
    },
  };
}
