/** Moddable builds without GPIO (the `lin` simulator): the simulated board from sim/, no firmware slots. */
import { SimBoard } from "../../sim/board.ts";
import type { Platform } from "./platform.ts";

let board: SimBoard | undefined; // made at boot

const platform: Platform = {
  name: "sim",
  createPins: (profile) => (board = new SimBoard(profile)),
  createUpdate: () => undefined,
  simulatedBoard: () => board,
};
export default platform;
