// A parameter's AllowedPattern. CloudFormation reads it as a java.util.regex.Pattern that must match
// the whole value; JavaScript's RegExp reads the common subset the same way (classes, quantifiers,
// groups, alternation, \d \w \s). Java-only syntax (possessive quantifiers, atomic groups, \A \z,
// \p{Alpha}) is not translated: such a pattern is refused as invalid or, for \A \z \p, read literally.
// The match itself never runs on the main thread (off-loop.ts): its cost is the template author's.

/** The pattern as a RegExp that only matches the whole value. Throws SyntaxError for an invalid pattern. */
export function wholeValue(pattern: string): RegExp {
  // Parsed alone first: `a)|(b` is invalid, though wrapped it would parse (as `^(?:a)|(b)$`).
  new RegExp(pattern);
  return new RegExp(`^(?:${pattern})$`);
}

/**
 * Whether the pattern is a valid regular expression. Constructing a RegExp parses it (linear in its
 * length) and compiles nothing until it runs, so this is safe on the main thread.
 */
export function isValidPattern(pattern: string): boolean {
  try {
    wholeValue(pattern);
    return true;
  } catch {
    return false;
  }
}
