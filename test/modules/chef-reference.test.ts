// chef against cloud-init's own: client.rb built in is what the reference's stock
// chef_client.rb template renders for the same parameters.
// test-lane: full (reference chroot)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderClientRb, templateParams } from '../../packages/core/src/modules/chef.js';
import { renderJinjaPart } from '../../packages/core/src/userdata/jinja.js';
import { REF_MISSING, REF_ROOT, referenceBuilt } from '../helpers/reference.js';

test('chef: client.rb is what the stock chef_client.rb template of cloud-init renders', (t) => {
  const tplFile = path.join(REF_ROOT, 'etc/cloud/templates/chef_client.rb.tmpl');
  if (!referenceBuilt() || !fs.existsSync(tplFile)) return t.skip(REF_MISSING);
  const tpl = fs.readFileSync(tplFile, 'utf8');
  for (const cfg of [
    { server_url: 'https://s', validation_name: 'v' },
    { server_url: 'https://s', validation_name: 'v', validation_cert: 'system', chef_license: 'accept', show_time: false, log_level: null, encrypted_data_bag_secret: '/e' },
  ]) {
    const { params } = templateParams(cfg, 'iid-1', '# header');
    assert.equal(renderClientRb(params), renderJinjaPart(tpl, params, 'chef_client.rb.tmpl'));
  }
});
