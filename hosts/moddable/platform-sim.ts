/** Moddable builds without GPIO (the `lin` simulator): the simulated board from sim/, no firmware slots. */
import { SimBoard } from "../../sim/board.ts";
import type { Platform } from "./platform.ts";
import { fileSlot } from "./file-slot.ts";
import { WifiLink } from "./wifi-link.ts";

let board: SimBoard | undefined; // made at boot

const platform: Platform = {
  name: "sim",
  firmwareBoard: "lin",
  createPins: (profile) => (board = new SimBoard(profile)),
  // a slot in a file on lin's RAM disk (manifest.json makes it 1 MB)
  createUpdate: () => fileSlot(512 * 1024),
  // the SDK simulates Wi-Fi on lin: joining always works (but for the password "invalid!")
  createLink: (_board, log) => new WifiLink(log),
  // modules/network/socket/lin/modSocket.c (8.2.3) tests inet_pton's result the wrong way round
  noMulticast: "Moddable's lin socket module refuses every multicast group",
  simulatedBoard: () => board,
  restartsInPlace: true,
};
export default platform;
