// Azure documents shared by the Azure tests: an ovf-env.xml as the provisioning ISO
// carries it, an IMDS instance document (api-version 2021-08-01) and a goal state, in
// the shapes Azure documents, and a stand-in that answers for IMDS and the wireserver.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const VM_UUID = '7e3b4b2a-5c1d-4e8f-9a0b-1c2d3e4f5a6b';
export const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGdhbWVzIGFyZSBmdW4gYW5kIHRoaXMgaXMgYSBrZXk azureuser@laptop';
export const OVF_KEY = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDovf ovf-key';
export const PASSWORD = 'Sup3r-S3cret!pw';

export function ovfEnv(opts: { customData?: string; password?: string | null; disableSsh?: string; extra?: string; hostname?: string } = {}): string {
  const cd = opts.customData === undefined ? Buffer.from('#cloud-config\nruncmd: [echo from-custom-data]\n').toString('base64') : opts.customData;
  const pw = opts.password === undefined ? PASSWORD : opts.password;
  return `<?xml version="1.0" encoding="utf-8"?>
<ns0:Environment xmlns:ns0="http://schemas.dmtf.org/ovf/environment/1" xmlns:ns1="http://schemas.microsoft.com/windowsazure" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <ns1:ProvisioningSection>
    <ns1:Version>1.0</ns1:Version>
    <ns1:LinuxProvisioningConfigurationSet>
      <ns1:ConfigurationSetType>LinuxProvisioningConfiguration</ns1:ConfigurationSetType>
      <ns1:HostName>${opts.hostname ?? 'ovf-host'}</ns1:HostName>
      <ns1:UserName>azureuser</ns1:UserName>
      ${pw === null ? '' : `<ns1:UserPassword>${pw}</ns1:UserPassword>`}
      <ns1:DisableSshPasswordAuthentication>${opts.disableSsh ?? 'true'}</ns1:DisableSshPasswordAuthentication>
      <ns1:SSH>
        <ns1:PublicKeys>
          <ns1:PublicKey>
            <ns1:Fingerprint>0123456789ABCDEF0123456789ABCDEF01234567</ns1:Fingerprint>
            <ns1:Path>/home/azureuser/.ssh/authorized_keys</ns1:Path>
            <ns1:Value>${OVF_KEY}</ns1:Value>
          </ns1:PublicKey>
        </ns1:PublicKeys>
      </ns1:SSH>
      ${cd === '' ? '' : `<ns1:CustomData>${cd}</ns1:CustomData>`}
      ${opts.extra ?? ''}
    </ns1:LinuxProvisioningConfigurationSet>
  </ns1:ProvisioningSection>
  <ns1:PlatformSettingsSection>
    <ns1:Version>1.0</ns1:Version>
    <ns1:PlatformSettings>
      <ns1:KmsServerHostname>kms.core.windows.net</ns1:KmsServerHostname>
      <ns1:ProvisionGuestAgent>false</ns1:ProvisionGuestAgent>
      <ns1:GuestAgentPackageName xsi:nil="true" />
      <ns1:PreprovisionedVm>false</ns1:PreprovisionedVm>
    </ns1:PlatformSettings>
  </ns1:PlatformSettingsSection>
</ns0:Environment>
`;
}

export const MAC0 = '00:0d:3a:04:75:98';
export const MAC1 = '00:0d:3a:04:75:99';

export function imdsDoc(): Record<string, unknown> {
  return {
    compute: {
      azEnvironment: 'AzurePublicCloud',
      location: 'westeurope',
      name: 'vm-name',
      osProfile: { adminUsername: 'azureuser', computerName: 'imds-host', disablePasswordAuthentication: 'true' },
      platformFaultDomain: '0',
      publicKeys: [{ keyData: SSH_KEY, path: '/home/azureuser/.ssh/authorized_keys' }],
      tags: 'env:test;team:core',
      tagsList: [
        { name: 'env', value: 'test' },
        { name: 'team', value: 'core' },
      ],
      userData: Buffer.from('#cloud-config\nruncmd: [echo from-imds]\n').toString('base64'),
      vmId: VM_UUID,
      vmSize: 'Standard_B1s',
      zone: '2',
    },
    network: {
      interface: [
        {
          ipv4: {
            ipAddress: [
              { privateIpAddress: '10.0.0.4', publicIpAddress: '' },
              { privateIpAddress: '10.0.0.5', publicIpAddress: '' },
            ],
            subnet: [{ address: '10.0.0.0', prefix: '24' }],
          },
          ipv6: { ipAddress: [] },
          macAddress: '000D3A047598',
        },
        {
          ipv4: { ipAddress: [{ privateIpAddress: '10.0.1.4', publicIpAddress: '' }], subnet: [{ address: '10.0.1.0', prefix: '25' }] },
          ipv6: { ipAddress: [{ privateIpAddress: 'fd00::4' }, { privateIpAddress: 'fd00::5' }], subnet: [{ address: 'fd00::', prefix: '64' }] },
          macAddress: '000D3A047599',
        },
      ],
    },
  };
}

export const GOAL_STATE = `<?xml version="1.0" encoding="utf-8"?>
<GoalState xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="goalstate10.xsd">
  <Version>2012-11-30</Version>
  <Incarnation>2</Incarnation>
  <Machine>
    <ExpectedState>Started</ExpectedState>
    <StopRolesDeadlineHint>300000</StopRolesDeadlineHint>
    <LBProbePorts><Port>16001</Port></LBProbePorts>
    <ExpectHealthReport>FALSE</ExpectHealthReport>
  </Machine>
  <Container>
    <ContainerId>c6d5fd8e-1e8f-4a0b-9c3d-2b7a6f5e4d3c</ContainerId>
    <RoleInstanceList>
      <RoleInstance>
        <InstanceId>${VM_UUID}.vm-name</InstanceId>
        <State>Started</State>
        <Configuration>
          <HostingEnvironmentConfig>http://168.63.129.16:80/machine/x?comp=config&amp;type=hostingEnvironmentConfig&amp;incarnation=2</HostingEnvironmentConfig>
          <SharedConfig>http://168.63.129.16:80/machine/x?comp=config&amp;type=sharedConfig&amp;incarnation=2</SharedConfig>
          <ExtensionsConfig>http://168.63.129.16:80/machine/x?comp=config&amp;type=extensionsConfig&amp;incarnation=2</ExtensionsConfig>
          <FullConfig>http://168.63.129.16:80/machine/x?comp=config&amp;type=fullConfig&amp;incarnation=2</FullConfig>
          <ConfigName>x.0.x.0._vm-name.1.xml</ConfigName>
        </Configuration>
      </RoleInstance>
    </RoleInstanceList>
  </Container>
</GoalState>
`;

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How the stand-in answers IMDS: as documented, or one of the ways a service goes wrong. */
export type ImdsMode = 'ok' | '500' | 'slow' | 'truncated' | 'oversized' | 'array' | 'no-compute' | 'bad-network' | '404-then-ok' | '400-old-version' | 'html' | 'no-header-check';

export interface StandIn {
  requests: Recorded[];
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void;
}

/** One handler for both IMDS (/metadata/...) and the wireserver (/machine...), recording every request. */
export function standIn(mode: ImdsMode = 'ok', doc: Record<string, unknown> = imdsDoc()): StandIn {
  const requests: Recorded[] = [];
  let imdsCalls = 0;
  const handler = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = req.url ?? '';
    requests.push({ method: req.method ?? '', url, headers: req.headers, body });
    if (url.startsWith('/metadata/')) {
      imdsCalls++;
      if (req.headers['metadata'] !== 'true') {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end('{"error": "Bad request. Required metadata header not specified"}');
      }
      const json = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(text);
      };
      switch (mode) {
        case '500':
          return json(500, '{"error": "Internal Server Error"}');
        case 'slow':
          return setTimeout(() => json(200, JSON.stringify(doc)), 5000).unref();
        case 'truncated': {
          const t = JSON.stringify(doc);
          return json(200, t.slice(0, Math.floor(t.length / 2)));
        }
        case 'oversized':
          return json(200, JSON.stringify({ ...doc, padding: 'x'.repeat(5 * 1024 * 1024) }));
        case 'array':
          return json(200, '[1, 2, 3]');
        case 'no-compute':
          return json(200, '{"compute": "vm", "network": {}}');
        case 'bad-network':
          return json(200, JSON.stringify({ ...doc, network: { interface: [{ macAddress: 42, ipv4: { ipAddress: [{ privateIpAddress: '10.0.0.4' }] } }] } }));
        case '404-then-ok':
          return imdsCalls < 3 ? json(404, '{"error": "Not found"}') : json(200, JSON.stringify(doc));
        case '400-old-version':
          return url.includes('2021-08-01') ? json(400, '{"error": "Bad request. api-version is invalid"}') : json(200, JSON.stringify(doc));
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<html><body>captive portal</body></html>');
        default:
          return json(200, JSON.stringify(doc));
      }
    }
    if (req.method === 'GET' && url === '/machine/?comp=goalstate') {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      return res.end(GOAL_STATE);
    }
    if (req.method === 'POST' && url === '/machine?comp=health') {
      res.writeHead(200);
      return res.end();
    }
    res.writeHead(404);
    res.end();
  };
  return { requests, handler };
}

/** The wireserver requests, as "METHOD url". */
export function wireRequests(s: StandIn): Recorded[] {
  return s.requests.filter((r) => r.url.startsWith('/machine'));
}
