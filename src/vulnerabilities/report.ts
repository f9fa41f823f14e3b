// Reads one Trivy JSON report (schema version 2) into the few facts gating needs: which image it
// describes (references and digests, normalized) and its distinct findings, worst first. Every
// other field is ignored; a field gating relies on that is missing or malformed refuses the file.
import { type ImageReference, formatReference, parseImageReference, validateDigest } from '../reference';
import { ReportError } from './errors';
import { type FieldPath, locateField, locateSyntaxError } from '../json-location';
import { SEVERITIES, type Severity, isSeverity, rankSeverity } from './severity';

export const TRIVY_SCHEMA_VERSION = 2;
/** Trivy's ArtifactType for `trivy image`; filesystem and repository scans name no image. */
export const CONTAINER_IMAGE_ARTIFACT = 'container_image';
/**
 * Vulnerability IDs as the databases Trivy reads write them (CVE-2024-3094, GHSA-..., TEMP-...,
 * GO-2023-...). IDs reach denial reasons, so anything else is refused rather than printed.
 */
export const VULNERABILITY_ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,99}$/;

/** One vulnerability ID as it applies to the image: the worst severity any package gave it. */
export interface Finding {
  readonly id: string;
  /** The ID upper-cased, for case-insensitive `ignore` lists. */
  readonly key: string;
  readonly severity: Severity;
  readonly packages: readonly string[];
}

export interface ScanReport {
  /** The file the report was read from, as given to parseTrivyReport. */
  readonly source: string;
  readonly artifactName: string;
  /** Milliseconds since the epoch from CreatedAt; undefined when absent or unreadable. */
  readonly createdAt: number | undefined;
  /** Normalized `registry/repository:tag` names (ArtifactName, Metadata.RepoTags). */
  readonly references: readonly string[];
  /** Manifest digests the report was made from (ArtifactName@..., Metadata.RepoDigests). */
  readonly manifestDigests: readonly string[];
  /** Metadata.ImageID: the image configuration's digest. */
  readonly imageId: string | undefined;
  /** Distinct IDs, worst severity first, then by ID. */
  readonly findings: readonly Finding[];
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function formatFieldPath(path: FieldPath): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? key : `${text}.${key}`), '');
}

/** Walks the parsed report; every refusal names the field and is located in the text lazily. */
class ReportReader {
  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  fail(path: FieldPath, fault: string): never {
    const location = locateField(this.text, path);
    throw new ReportError(this.source, location.line, location.column, formatFieldPath(path), fault);
  }

  object(value: unknown, path: FieldPath): JsonObject {
    return isObject(value) ? value : this.fail(path, `must be an object, got ${describeValue(value)}`);
  }

  /** Go's encoder writes a nil slice as null, and omitempty leaves it out: both read as empty. */
  list(value: unknown, path: FieldPath): readonly unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : this.fail(path, `must be a list, got ${describeValue(value)}`);
  }

  string(value: unknown, path: FieldPath): string {
    return typeof value === 'string' && value !== '' ? value : this.fail(path, `must be a non-empty string, got ${describeValue(value)}`);
  }

  optionalString(value: unknown, path: FieldPath): string | undefined {
    return value === undefined || value === null || value === '' ? undefined : this.string(value, path);
  }

  reference(value: unknown, path: FieldPath): ImageReference {
    const written = this.string(value, path);
    try {
      return parseImageReference(written);
    } catch (error) {
      return this.fail(path, `${describeValue(written)} is not an image reference: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  digest(value: unknown, path: FieldPath): string {
    const written = this.string(value, path);
    const fault = validateDigest(written);
    return fault === undefined ? written : this.fail(path, fault);
  }
}

function readFindings(reader: ReportReader, report: JsonObject): Finding[] {
  const byId = new Map<string, { id: string; severity: Severity; packages: Set<string> }>();
  reader.list(report['Results'], ['Results']).forEach((result, resultIndex) => {
    const resultPath = ['Results', resultIndex];
    const vulnerabilities = reader.object(result, resultPath)['Vulnerabilities'];
    reader.list(vulnerabilities, [...resultPath, 'Vulnerabilities']).forEach((entry, index) => {
      const path = [...resultPath, 'Vulnerabilities', index];
      const vulnerability = reader.object(entry, path);
      const id = reader.string(vulnerability['VulnerabilityID'], [...path, 'VulnerabilityID']);
      if (!VULNERABILITY_ID.test(id)) reader.fail([...path, 'VulnerabilityID'], `must be letters, digits and ._:+- (at most 100), got ${describeValue(id)}`);
      const severity = reader.string(vulnerability['Severity'], [...path, 'Severity']);
      if (!isSeverity(severity)) reader.fail([...path, 'Severity'], `must be one of ${SEVERITIES.join(', ')}, got ${describeValue(severity)}`);
      const packageName = reader.string(vulnerability['PkgName'], [...path, 'PkgName']);
      const known = byId.get(id);
      if (known === undefined) byId.set(id, { id, severity, packages: new Set([packageName]) });
      else {
        known.packages.add(packageName);
        if (rankSeverity(severity) > rankSeverity(known.severity)) known.severity = severity;
      }
    });
  });
  return [...byId.values()]
    .map(({ id, severity, packages }) => ({ id, key: id.toUpperCase(), severity, packages: [...packages] }))
    .sort((a, b) => rankSeverity(b.severity) - rankSeverity(a.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const location = locateSyntaxError(text, message);
    throw new ReportError(source, location.line, location.column, '', `not JSON: ${message}`);
  }
}

/** Parses a Trivy report; throws ReportError (located) for anything gating could misread. */
export function parseTrivyReport(text: string, source: string): ScanReport {
  const reader: ReportReader = new ReportReader(text, source);
  const report = reader.object(parseJson(text, source), []);
  if (report['SchemaVersion'] !== TRIVY_SCHEMA_VERSION) {
    reader.fail(['SchemaVersion'], `must be ${TRIVY_SCHEMA_VERSION} (trivy --format json), got ${describeValue(report['SchemaVersion'])}`);
  }
  const artifactType = report['ArtifactType'];
  if (artifactType !== CONTAINER_IMAGE_ARTIFACT) {
    reader.fail(['ArtifactType'], `must be "${CONTAINER_IMAGE_ARTIFACT}" (a report of trivy image), got ${describeValue(artifactType)}`);
  }
  const metadata = report['Metadata'] === undefined ? {} : reader.object(report['Metadata'], ['Metadata']);
  const artifact = reader.reference(report['ArtifactName'], ['ArtifactName']);
  const references = new Set<string>();
  const manifestDigests = new Set<string>();
  // A digest-pinned ArtifactName still names the tag it was pulled by, when one was written.
  if (artifact.tag !== undefined) references.add(formatReference({ registry: artifact.registry, repository: artifact.repository, tag: artifact.tag }));
  if (artifact.digest !== undefined) manifestDigests.add(artifact.digest);
  reader.list(metadata['RepoTags'], ['Metadata', 'RepoTags']).forEach((tag, index) => {
    const parsed = reader.reference(tag, ['Metadata', 'RepoTags', index]);
    if (parsed.tag !== undefined) references.add(formatReference({ registry: parsed.registry, repository: parsed.repository, tag: parsed.tag }));
  });
  reader.list(metadata['RepoDigests'], ['Metadata', 'RepoDigests']).forEach((entry, index) => {
    const parsed = reader.reference(entry, ['Metadata', 'RepoDigests', index]);
    if (parsed.digest === undefined) reader.fail(['Metadata', 'RepoDigests', index], `${describeValue(entry)} carries no @digest`);
    manifestDigests.add(parsed.digest);
  });
  const imageId = metadata['ImageID'] === undefined ? undefined : reader.digest(metadata['ImageID'], ['Metadata', 'ImageID']);
  const createdText = reader.optionalString(report['CreatedAt'], ['CreatedAt']);
  const created = createdText === undefined ? Number.NaN : Date.parse(createdText);
  // The newest report of an image wins, so a date that cannot be read must not quietly rank last.
  if (createdText !== undefined && Number.isNaN(created)) reader.fail(['CreatedAt'], `${describeValue(createdText)} is not a date and time (RFC 3339, as Trivy writes it)`);
  return {
    source,
    artifactName: formatReference(artifact),
    createdAt: Number.isNaN(created) ? undefined : created,
    references: [...references],
    manifestDigests: [...manifestDigests],
    imageId,
    findings: readFindings(reader, report),
  };
}
