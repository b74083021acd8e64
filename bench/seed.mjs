// The inputs both implementations get: one NoCloud seed and the example config drive.
export const META_DATA = 'instance-id: iid-bench-0001\nlocal-hostname: bench-host\n';

export const USER_DATA = `#cloud-config
write_files:
${Array.from({ length: 10 }, (_, i) => `  - path: /etc/bench/file-${i}.conf\n    content: "setting_${i} = value ${i}\\n"\n    permissions: '0644'`).join('\n')}
  - path: /etc/bench/encoded.txt
    encoding: b64
    content: ${Buffer.from('encoded content\n').toString('base64')}
runcmd:
  - [sh, -c, 'echo ran > /var/tmp/bench-runcmd']
  - echo second >> /var/tmp/bench-runcmd
`;
