/**
 * What xsnap evaluates before a bundle to look like a Moddable device: the globals xsnap has and a
 * device lacks (TextEncoder, TextDecoder, Base64, setImmediate, print, performance) are removed, the
 * built-ins are frozen as a device's ROM freezes them, and the preload emulation (preload.ts) is
 * installed. A core that leans on any of these fails on XS as it would on the device.
 */
import { PRELOAD_PRELUDE } from "./preload.ts";

// A Moddable build preloads the built-ins into ROM, frozen: assigning over one of their
// properties (e.g. \`this.name = ...\` in an Error subclass) throws there. Freeze them here too,
// after the preload emulation has wrapped what it needs (preload.ts).
export const XS_PRELUDE = `
  ${PRELOAD_PRELUDE}
  Object.defineProperty(globalThis, "__ioboxReport", { value: globalThis.issueCommand });
  for (const name of ["TextEncoder", "TextDecoder", "Base64", "setImmediate", "print", "performance"]) delete globalThis[name];
  {
    const seen = new Set();
    const freeze = (o) => {
      if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) return;
      seen.add(o);
      __ioboxBuiltins.add(o);
      Object.freeze(o);
      for (const key of Reflect.ownKeys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, key);
        freeze(d.value);
        freeze(d.get);
        freeze(d.set);
      }
      freeze(Object.getPrototypeOf(o));
    };
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      if (name !== "globalThis" && name !== "global" && !name.startsWith("__iobox")) freeze(globalThis[name]);
    }
  }
`;

