// The repository check: every spelling of one registry and repository that cosign and other
// signers write is the same repository; a different host, port or path is not.
import { findRepositoryMismatch } from '../../../src/signatures';

const HUB_NGINX = { registry: 'docker.io', repository: 'library/nginx' };
const PRIVATE_APP = { registry: 'registry.example.com', repository: 'team/app' };

test.each([
  { name: 'cosign spelling of Docker Hub (go-containerregistry)', reference: 'index.docker.io/library/nginx', image: HUB_NGINX },
  { name: 'docker.io with library/', reference: 'docker.io/library/nginx', image: HUB_NGINX },
  { name: 'short official name', reference: 'nginx', image: HUB_NGINX },
  { name: 'index.docker.io without library/', reference: 'index.docker.io/nginx', image: HUB_NGINX },
  { name: 'upper-case registry host', reference: 'Registry.Example.COM/team/app', image: PRIVATE_APP },
  { name: 'with a tag (containers/image may write one)', reference: 'registry.example.com/team/app:v1', image: PRIVATE_APP },
  { name: 'with a digest', reference: `registry.example.com/team/app@sha256:${'a'.repeat(64)}`, image: PRIVATE_APP },
])('$name names the repository', ({ reference, image }) => {
  expect(findRepositoryMismatch(reference, image)).toBeUndefined();
});

test.each([
  { name: 'another repository', reference: 'registry.example.com/team/other', image: PRIVATE_APP, fault: /names another repository \("registry.example.com\/team\/other"\)/ },
  { name: 'same path on Docker Hub', reference: 'team/app', image: PRIVATE_APP, fault: /"docker.io\/team\/app"/ },
  { name: 'another port', reference: 'registry.example.com:5000/team/app', image: PRIVATE_APP, fault: /another repository/ },
  { name: 'a look-alike host', reference: 'registry.example.com.evil.io/team/app', image: PRIVATE_APP, fault: /another repository/ },
  { name: 'a parent repository', reference: 'registry.example.com/team', image: PRIVATE_APP, fault: /another repository/ },
  { name: 'not a reference at all', reference: 'https://registry.example.com/team/app', image: PRIVATE_APP, fault: /which is not an image reference/ },
  { name: 'control characters are quoted, not printed', reference: 'evil\n/app', image: PRIVATE_APP, fault: /"evil\\n\/app", which is not an image reference/ },
])('$name does not', ({ reference, image, fault }) => {
  expect(findRepositoryMismatch(reference, image)).toMatch(fault);
});
