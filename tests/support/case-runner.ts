// Runs every case file of a folder through both paths a review can take — answerImageReview (what
// `evaluate` and `test` use) and the HTTP app (what kube-apiserver talks to) — and requires the
// outcome each case expects and the same answer from both.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { type PolicyCase, checkCaseResponse, runCase } from '../../src/cases';
import { loadCaseFileFromDisk } from '../../src/cli/case-files';
import { SILENT_LOGGER } from '../../src/logger';
import { createApp } from '../../src/server';

export function describeCaseFiles(folder: string): void {
  const files = readdirSync(folder).filter((file) => file.endsWith('.yaml')).sort();

  test('there are case files to run', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  describe.each(files.map((file) => ({ file })))('$file', ({ file }) => {
    const { caseFile, policy, requestBody, context } = loadCaseFileFromDisk(path.join(folder, file));
    // Each case carries its own context (tag resolutions); the app asks for it once per review.
    let current: PolicyCase | undefined;
    const app = createApp({ currentPolicy: () => policy, logger: SILENT_LOGGER, isDraining: () => false, reviewContext: () => (current === undefined ? {} : context(current)) });

    test.each(caseFile.cases.map((testCase) => ({ testCase, caseName: testCase.name })))('$caseName', async ({ testCase }) => {
      const body = requestBody(testCase);
      const direct = runCase(policy, testCase, body, context(testCase));
      expect(direct.failures).toEqual([]);

      current = testCase;
      const http = await request(app).post('/imagepolicy?timeout=30s').set('Content-Type', 'application/json').send(JSON.stringify(body));
      expect(http.status).toBe(200);
      expect(checkCaseResponse(testCase, http.body).failures).toEqual([]);
      expect(http.body).toEqual(direct.response);
    });
  });
}
