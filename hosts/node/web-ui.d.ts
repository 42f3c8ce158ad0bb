/** The web UI page, gzip-compressed, that the simulator build embeds (hosts/build/build.ts). */
declare module "iobox-web-ui" {
  const page: Uint8Array;
  export default page;
}

/** The setup page's gzip bytes, likewise. */
declare module "iobox-setup-ui" {
  const gzip: Uint8Array;
  export default gzip;
}
