/** The web UI page, gzip-compressed, that the simulator build embeds (hosts/build/build.ts). */
declare module "iobox-web-ui" {
  const page: Uint8Array;
  export default page;
}
