/**
 * The firmware's version. A build may set it (`IOBOX_VERSION`, an esbuild define: the signing tool
 * and the tests build images of other versions); the source's own is the fallback.
 */
declare const IOBOX_VERSION: string | undefined;

export const VERSION: string = typeof IOBOX_VERSION === "string" ? IOBOX_VERSION : "0.1.0";
