/**
 * The image's `main`, the one module Moddable does not preload: it starts the preloaded device
 * (`iobox`, hosts/moddable/boot.ts). Moddable calls a main module's default export once its setup
 * modules are done, on an empty stack.
 */
import boot from "iobox";

export default function main(): void {
  boot();
}
