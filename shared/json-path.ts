/** Dotted paths into parsed JSON (`data.list`, `jq.bjsj`, `list.0.code`), as feed configurations name them. */

/** The value at a dotted path, own properties only; undefined when a step is missing. */
export function valueAt(json: unknown, path: string): unknown {
  let value = json;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
