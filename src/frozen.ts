/**
 * Deep freezing, for the tables module bodies build (key tables, route tables). On the device they
 * are preloaded into flash, and XS keeps a RAM pointer for every preloaded object that may still
 * change: a frozen one needs none (and a table cannot change by mistake).
 */
export function frozen<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) frozen(v);
  }
  return value;
}
