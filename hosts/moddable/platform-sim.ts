/** Moddable builds without GPIO (the `lin` simulator): the simulated board from sim/, no firmware slots. */
import { SimBoard } from "../../sim/board.ts";
import type { Platform } from "./platform.ts";

const platform: Platform = {
  name: "sim",
  createPins: (board) => new SimBoard(board),
  createUpdate: () => undefined,
};
export default platform;
