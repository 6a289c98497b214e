/**
 * OpenSSH's host patterns, as ssh_config's `Host` lines and known_hosts' host fields use them:
 * comma-separated lists, `*` and `?` wildcards, `!` to exclude, compared without case.
 */

/** Some pattern matches and no negated one does (each entry may be a comma-separated list). */
export function hostMatches(patterns: readonly string[], host: string): boolean {
  let matched = false;
  for (const list of patterns) {
    for (const p of list.split(',')) {
      if (p === '') continue;
      const negated = p.startsWith('!');
      if (patternRegExp(negated ? p.slice(1) : p).test(host)) {
        if (negated) return false;
        matched = true;
      }
    }
  }
  return matched;
}

/** One pattern (`*`, `?` wildcards) as a whole-string, case-insensitive RegExp. */
export function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}
