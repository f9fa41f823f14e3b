// schema/policy.schema.json is published for editors; it is generated from the zod schema that
// loadPolicy uses, and this test keeps the committed file from drifting away from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyJsonSchema } from '../../../src/policy';
import { PROJECT_ROOT } from '../../support/paths';

const SCHEMA_FILE = join(PROJECT_ROOT, 'schema', 'policy.schema.json');
const REGENERATE =
  'npm run build && node -e "process.stdout.write(JSON.stringify(require(\'./dist/policy\').policyJsonSchema(), null, 2) + \'\\n\')" > schema/policy.schema.json';

test('schema/policy.schema.json is exactly policyJsonSchema()', () => {
  const committed = readFileSync(SCHEMA_FILE, 'utf8');
  const generated = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
  if (committed !== generated) throw new Error(`schema/policy.schema.json is stale; regenerate it with:\n  ${REGENERATE}`);
});

test('the schema is strict and names the required keys', () => {
  expect(policyJsonSchema()).toMatchObject({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'ImagePolicy',
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'metadata'],
    properties: {
      apiVersion: { const: 'image-policy-webhook/v1' },
      kind: { const: 'ImagePolicy' },
      mode: { enum: ['enforce', 'audit'], default: 'enforce' },
      namespaces: { items: { additionalProperties: false, required: ['names'] } },
    },
  });
});
