// Line and column of a problem in a JSON text (a scan report, a registry credentials file), so a
// refused file is reported as `file:line:col: field: rule`. Pure: text in, positions out.
export { type FieldPath, type TextLocation, locateField, locateSyntaxError } from './json-location';
