/** The stylesheet, inlined as text by build.ts (esbuild's text loader). */
declare module "*.css" {
  const text: string;
  export default text;
}
