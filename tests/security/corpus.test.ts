// The bypass corpus: one case file per class of attack that once let a refused image in, each
// row a named attempt with the decision it must get, through evaluate and the HTTP app alike.
import path from 'node:path';
import { describeCaseFiles } from '../support/case-runner';

describeCaseFiles(path.join(__dirname, 'corpus'));
