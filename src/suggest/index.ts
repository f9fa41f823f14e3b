// Audit -> allowlist: turns what a cluster runs (a pod dump or the decision log) into policy
// entries, commented with where each was seen and warned where we would not recommend it.
// Pure: parsed input in, policy text out.
export { ENTRY_WARNINGS, type EntryWarningKind, GRANULARITIES, type Granularity, type InvalidImage, type SuggestedEntry, buildEntries, isShortName } from './entries';
export { type Sighting, PodListError, collectLogSightings, collectPodSightings } from './sightings';
export { SuggestError, type SuggestOptions, type Suggestion, findUncovered, suggestPolicy } from './suggest';
export { summarizeWarnings } from './summary';
