/** Console commands on the simulator's standard input (see sim/control.ts for the list). */
import readline from "node:readline";
import { consoleCommand, type BoardControl } from "../../sim/control.ts";

export function startConsole(control: BoardControl): void {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  rl.on("line", (line) => {
    try {
      const answer = consoleCommand(control, line);
      if (answer) process.stdout.write(answer + "\n");
    } catch (e) {
      process.stdout.write("error: " + (e as Error).message + "\n");
    }
  });
  rl.on("error", () => {}); // standard input may be closed: the simulator runs on without a console
}
