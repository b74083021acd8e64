// test-lane: full (network namespaces)
// The Ec2 datasource against an IMDSv2 stand-in at the platform's IPv6 address
// fd00:ec2::254, inside a network namespace the test creates and deletes (this
// machine's network is never touched): the built-in metadata_urls reach it after the
// IPv4 endpoint fails, and the network config is read from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { netnsUnavailable, runInMetadataNamespace } from '../helpers/netns.js';
import { awsRoot } from './ec2-fixtures.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ec2-netns-runner.js');

interface Read {
  result?: Record<string, unknown> | null;
  error?: string;
  seen: string[];
  log: string[];
}

test('on an IPv6-only IMDS the built-in URLs find the service at http://[fd00:ec2::254] and read its network config', { skip: netnsUnavailable() ?? false }, () => {
  const out = runInMetadataNamespace<Read>(['fd00:ec2::254'], RUNNER, [awsRoot()]);
  assert.ok(out.result, `${out.error ?? ''}\n${out.log.join('\n')}`);
  assert.equal(out.result['instanceId'], 'i-0123456789abcdef0');
  assert.equal(out.result['subplatform'], 'metadata (http://[fd00:ec2::254])');
  assert.equal((out.result['networkConfig'] as { format: string }).format, 'v2');
  assert.equal(out.seen[0], 'PUT /latest/api/token [fd00:ec2::254]');
  // The IPv4 endpoint was tried first and failed without an answer.
  assert.ok(
    out.log.some((l) => l.includes('169.254.169.254')),
    out.log.join('\n'),
  );
});
