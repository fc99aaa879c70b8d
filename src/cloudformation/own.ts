// Template names (logical ids, parameters, conditions, mappings, Fn::Sub variables) are any text a
// template chooses, `constructor` and `toString` included. A plain `obj[name]` or `name in obj`
// finds Object.prototype's members for those; every lookup by such a name goes through here.

/** obj[key] when obj has that key of its own, else undefined. */
export function own<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && obj !== null && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Whether obj has the key of its own. */
export function hasOwn(obj: object | undefined, key: string): boolean {
  return obj !== undefined && obj !== null && Object.hasOwn(obj, key);
}
