/** What the editor shows beside a field: the page's own checks and what the server said of it. */
import type { ProblemCode } from '../../../admin/weights.js';

export interface FieldNotes {
  codes: ProblemCode[];
  server: string[];
}

/** The notes of a field path (with `deep`, of every path under it too). */
export type NoteOf = (path: string, deep?: boolean) => FieldNotes;
