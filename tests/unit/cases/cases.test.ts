// Runs every case file in this folder through both paths a review can take — answerImageReview
// (what `evaluate` uses) and the HTTP app (what kube-apiserver talks to) — and requires the same
// answer from both, and the outcome each case expects.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { checkCaseResponse, runCase } from '../../../src/cases';
import { loadCaseFileFromDisk } from '../../../src/cli/case-files';
import { createApp } from '../../../src/server';
import { CASES_DIR } from '../../support/paths';
import { SILENT_LOGGER } from '../../../src/logger';


const files = readdirSync(CASES_DIR).filter((file) => file.endsWith('.yaml')).sort();

test('there are case files to run', () => {
  expect(files.length).toBeGreaterThan(0);
});

describe.each(files.map((file) => ({ file })))('$file', ({ file }) => {
  const { caseFile, policy, requestBody } = loadCaseFileFromDisk(path.join(CASES_DIR, file));
  const app = createApp({ currentPolicy: () => policy, logger: SILENT_LOGGER, isDraining: () => false });

  test.each(caseFile.cases.map((testCase) => ({ ...testCase, caseName: testCase.name })))('$caseName', async (testCase) => {
    const body = requestBody(testCase);
    const direct = runCase(policy, testCase, body);
    expect(direct.failures).toEqual([]);

    const http = await request(app).post('/imagepolicy?timeout=30s').set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect(http.status).toBe(200);
    expect(checkCaseResponse(testCase, http.body).failures).toEqual([]);
    expect(http.body).toEqual(direct.response);
  });
});
