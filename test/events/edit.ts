/** Edits of parsed JSON by dotted path (`process.argv.2`), for breaking one field of a valid event. */
export type Edit = (target: Record<string, unknown>) => void;

function parentOf(target: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  return [node, keys[keys.length - 1]!];
}

export function setAt(path: string, value: unknown): Edit {
  return (target) => {
    const [parent, key] = parentOf(target, path);
    parent[key] = value;
  };
}

export function deleteAt(path: string): Edit {
  return (target) => {
    const [parent, key] = parentOf(target, path);
    delete parent[key];
  };
}
