/**
 * A refusal's problems by key path, and which field of a form each belongs to. The server names
 * every problem by its path in the configuration (`streets.2.population: Too small…`); a form shows
 * a problem beside the field of that path, or one of its parents (a street's geometry takes every
 * problem inside it), and at the top whatever no field of the form claims.
 */

export interface Issue {
  /** Dotted key path, '' when the problem is about the whole body. */
  path: string;
  message: string;
}

/** `path: reason` with a path of keys and indices (`feeds.service-window.mapping.fields.at`). */
const LINE = /^([\w$-]+(?:\.[\w$-]+)*): (.+)$/s;

function isIssue(value: unknown): value is { path: unknown; message: string } {
  return (
    typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string'
  );
}

/** A path as the server may send it: dotted, or a list of keys (zod's). */
function pathText(path: unknown): string {
  if (Array.isArray(path)) return path.map(String).join('.');
  return typeof path === 'string' ? path : '';
}

/**
 * A 400's problems: `details.issues` when the server gave them, else each `; `-separated part of the
 * message split at its first `: ` (a part that names no path is about the whole body).
 */
export function issuesOf(message: string, details?: unknown): Issue[] {
  const listed =
    typeof details === 'object' && details !== null && 'issues' in details ? details.issues : undefined;
  if (Array.isArray(listed) && listed.length > 0 && listed.every(isIssue))
    return listed.map((issue) => ({ path: pathText(issue.path), message: issue.message }));
  const problems =
    typeof details === 'object' && details !== null && 'problems' in details ? details.problems : undefined;
  const lines =
    Array.isArray(problems) && problems.length > 0 && problems.every((p) => typeof p === 'string')
      ? problems
      : message.split('; ');
  return lines
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const match = LINE.exec(line);
      return match ? { path: match[1]!, message: match[2]! } : { path: '', message: line };
    });
}

/** Whether a problem at `path` belongs to the field at `field`: the same path or one inside it. */
export function within(path: string, field: string): boolean {
  return path === field || path.startsWith(`${field}.`);
}

/** The messages of the problems at `field` or inside it. */
export function messagesAt(issues: readonly Issue[], field: string): string[] {
  return issues.filter((issue) => within(issue.path, field)).map((issue) => issue.message);
}

/**
 * The problems no field of the form shows (none of `fields` is their path or a parent of it), each
 * with its path: they are said at the top, so that nothing the server said goes unseen.
 */
export function unclaimed(issues: readonly Issue[], fields: readonly string[]): Issue[] {
  return issues.filter((issue) => !fields.some((field) => within(issue.path, field)));
}

/** One line per problem: `path: message`, or the message alone for the whole body. */
export const issueLine = (issue: Issue): string =>
  issue.path ? `${issue.path}: ${issue.message}` : issue.message;
