// Public surface of the PKI module: pure certificate generation and inspection, PEM in and out.
// Nothing here touches the file system; the pki command and the test helpers do that.
export { InvalidSubjectAltNameError, PkiError } from './errors';
export {
  DEFAULT_KEY_TYPE,
  KEY_TYPES,
  privateKeyMatchesCertificate,
  type KeyType,
} from './keys';
export { parseSubjectAltName, parseSubjectAltNames, type SubjectAltName } from './subject-alt-name';
export {
  CLOCK_SKEW_ALLOWANCE_MS,
  DEFAULT_CA_VALIDITY_DAYS,
  DEFAULT_LEAF_VALIDITY_DAYS,
  MAX_VALIDITY_DAYS,
  validateValidityDays,
  type ValidityOptions,
} from './validity';
export {
  DEFAULT_CA_COMMON_NAME,
  DEFAULT_CLIENT_COMMON_NAME,
  DEFAULT_SERVER_COMMON_NAME,
  generateCertificateAuthority,
  generateClientCertificate,
  generateServingCertificate,
  loadCertificateAuthority,
  type CertificateAndKey,
  type CertificateAuthorityOptions,
  type ClientCertificateOptions,
  type ServingCertificateOptions,
} from './generate';
export { DEFAULT_SUBJECT_ALT_NAMES, generatePkiBundle, type LeafSettings, type PkiBundle, type PkiBundleOptions } from './bundle';
export { explainIssuerMismatch, inspectCertificate, type CertificateSummary } from './inspect';
export { APISERVER_CLIENT_ROLE, CA_ROLE, PKI_ROLES, SERVER_ROLE, type ExtendedKeyUsageName, type PkiRole } from './layout';
export {
  checkPkiStatus,
  type CertificateStatus,
  type PkiFileContent,
  type PkiProblem,
  type PkiStatus,
  type PkiStatusOptions,
} from './status';
export { formatPkiStatusTable } from './status-table';
export {
  checkCertificateAuthorityLifetime,
  formatKeptSetting,
  planPkiSettings,
  type KeptSetting,
  type PkiSettingFlags,
  type PlannedSettings,
  type ReplacedCertificate,
  type ReplacedCertificates,
} from './renewal';
export { type FileAccess, type ServiceUser } from './file-access';
