/**
 * How Picket names a program: the basename of its executable, without the " (deleted)" suffix the
 * kernel appends to unlinked files, lower-cased. Versioned interpreter names (python3.11, php8.2)
 * are folded to their family by {@link programFamily} so lists stay short.
 */

const DELETED = ' (deleted)';

/** Basename of a path, without a trailing " (deleted)". */
export function baseName(path: string | undefined): string {
  if (!path) return '';
  const end = path.endsWith(DELETED) ? path.length - DELETED.length : path.length;
  // Scanned by character: every exec asks for several names, and String#lastIndexOf is a call into
  // the runtime that costs more than this loop over a path's last component.
  let start = end;
  while (start > 0 && path.charCodeAt(start - 1) !== 47 /* / */) start--;
  return path.slice(start, end).toLowerCase();
}

/** python3.11 → python, php-fpm8.2 → php-fpm, perl5.36 → perl, node18 → node, lua5.4 → lua. */
export function programFamily(name: string): string {
  // The versioned spellings end in a digit or a dot; any other name is its own family (most names).
  const last = name.charCodeAt(name.length - 1);
  if (!((last >= 48 && last <= 57) || last === 46)) return name;
  let family = familyCache.get(name);
  if (family === undefined) {
    family = name.replace(/^(python|php-fpm|php|perl|ruby|node|nodejs|lua|luajit|tclsh|pypy|gawk)[0-9][0-9.]*$/, '$1');
    // Program names repeat endlessly; the cache is bounded so hostile names cannot grow it.
    if (familyCache.size >= FAMILY_CACHE_MAX) familyCache.clear();
    familyCache.set(name, family);
  }
  return family;
}
const FAMILY_CACHE_MAX = 4096;
const familyCache = new Map<string, string>();

/** True when `name` (a basename) or its family is in `set`. */
export function inSet(set: ReadonlySet<string>, name: string): boolean {
  if (set.has(name)) return true;
  const family = programFamily(name);
  return family !== name && set.has(family);
}
