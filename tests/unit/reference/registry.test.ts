// Which first components name a registry, and the canonical form of a registry.
import { checkRegistry, isRegistryComponent } from '../../../src/reference';
import { canonicalizeIPv6 } from '../../../src/reference/ipv6';

describe('isRegistryComponent (splitDockerDomain rule)', () => {
  test.each([
    { name: 'host with a dot', component: 'registry.example.com', want: true },
    { name: 'IPv4 address', component: '127.0.0.1', want: true },
    { name: 'single label with port', component: 'registry:5000', want: true },
    { name: 'localhost', component: 'localhost', want: true },
    { name: 'IPv6 literal', component: '[::1]', want: true },
    { name: 'Docker Hub namespace', component: 'grafana', want: false },
    { name: 'namespace with underscore', component: 'test_com', want: false },
    { name: 'upper-case namespace (distribution says registry; we say path, then reject case)', component: 'Foo', want: false },
    { name: 'upper-case LOCALHOST', component: 'LOCALHOST', want: false },
    { name: 'localhost with suffix', component: 'localhostx', want: false },
  ])('$name', ({ component, want }) => {
    expect(isRegistryComponent(component)).toBe(want);
  });
});

describe('checkRegistry normalizes', () => {
  test.each([
    { name: 'lower-cases the host', registry: 'REGISTRY.Example.COM', want: 'registry.example.com' },
    { name: 'keeps the port', registry: 'Registry.Example.com:5000', want: 'registry.example.com:5000' },
    { name: 'folds the legacy Docker Hub name', registry: 'index.docker.io', want: 'docker.io' },
    { name: 'folds the upper-case legacy Docker Hub name', registry: 'INDEX.DOCKER.IO', want: 'docker.io' },
    { name: 'keeps the legacy name with a port as written', registry: 'index.docker.io:443', want: 'index.docker.io:443' },
    { name: 'IPv6 loopback', registry: '[::1]:5000', want: '[::1]:5000' },
    { name: 'IPv6 with leading zeros and upper case', registry: '[2001:0DB8::0001]', want: '[2001:db8::1]' },
    { name: 'highest port', registry: 'localhost:65535', want: 'localhost:65535' },
  ])('$name', ({ registry, want }) => {
    expect(checkRegistry(registry)).toStrictEqual({ ok: true, value: want });
  });

  test.each([
    { name: 'empty', registry: '', fault: /registry host ""/ },
    { name: 'IPv6 junk', registry: '[:::]', fault: /not a valid IPv6 address/ },
    { name: 'port with leading zero', registry: 'localhost:080', fault: /registry port "080"/ },
    { name: 'six-digit port', registry: 'localhost:100000', fault: /registry port "100000"/ },
  ])('refuses $name', ({ registry, fault }) => {
    const checked = checkRegistry(registry);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.fault).toMatch(fault);
  });
});

describe('canonicalizeIPv6 (RFC 5952)', () => {
  test.each([
    { name: 'loopback', address: '::1', want: '::1' },
    { name: 'unspecified', address: '::', want: '::' },
    { name: 'fully written loopback', address: '0:0:0:0:0:0:0:1', want: '::1' },
    { name: 'leading zeros dropped', address: '2001:0db8:0000:0000:0000:0000:0000:0001', want: '2001:db8::1' },
    { name: 'upper case lowered', address: '2001:DB8::A', want: '2001:db8::a' },
    { name: 'longest zero run wins', address: '1:0:0:2:0:0:0:3', want: '1:0:0:2::3' },
    { name: 'first of equal runs wins', address: '1:0:0:2:0:0:3:4', want: '1::2:0:0:3:4' },
    { name: 'single zero group is not compressed', address: '1:0:2:3:4:5:6:7', want: '1:0:2:3:4:5:6:7' },
    { name: 'needlessly compressed single group is expanded', address: '1::2:3:4:5:6:7', want: '1:0:2:3:4:5:6:7' },
    { name: 'trailing compression', address: 'fe80::', want: 'fe80::' },
    { name: 'no zeros', address: '1:2:3:4:5:6:7:8', want: '1:2:3:4:5:6:7:8' },
  ])('$name', ({ address, want }) => {
    expect(canonicalizeIPv6(address)).toBe(want);
  });

  test.each([
    { name: 'empty', address: '' },
    { name: 'seven groups without compression', address: '1:2:3:4:5:6:7' },
    { name: 'nine groups', address: '1:2:3:4:5:6:7:8:9' },
    { name: 'compression with eight groups', address: '1:2:3:4::5:6:7:8' },
    { name: 'two compressions', address: '1::2::3' },
    { name: 'triple colon', address: ':::' },
    { name: 'leading single colon', address: ':1:2:3:4:5:6:7' },
    { name: 'five hex digits', address: '12345::' },
    { name: 'non-hex', address: 'g::1' },
    { name: 'embedded IPv4', address: '::ffff:1.2.3.4' },
    { name: 'too long', address: `${'0'.repeat(40)}::1` },
  ])('refuses $name', ({ address }) => {
    expect(canonicalizeIPv6(address)).toBeUndefined();
  });
});
