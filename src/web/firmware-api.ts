/**
 * `PUT /api/firmware`: a signed image in the request body, streamed into the updater as it arrives
 * (src/firmware/updater.ts), so `curl -T image.iobox --digest -u jnior:… http://unit/api/firmware`
 * works. Administrators only. 200 when the image is installed (the unit then restarts into it), the
 * updater's status and reason otherwise; an upload cut off is left for the JANOS `Firmware Write`
 * to resume, or to time out.
 */
import { frozen } from "../frozen.ts";
import type { Exchange } from "../http/exchange.ts";
import type { Route } from "../http/router.ts";
import { UpdateError } from "../firmware/updater.ts";
import { forRole, type WebContext } from "./context.ts";
import { sendJson } from "./json.ts";

function upload(c: WebContext, ex: Exchange): void {
  const updater = c.firmware;
  if (!updater) return sendJson(ex, 501, { error: "this unit takes no firmware" });
  const length = Number(ex.headers.get("content-length") ?? 0);
  let offset = 0;
  let refused = false;
  ex.onBody = (chunk) => {
    if (refused) return;
    try {
      offset = updater.write(offset, chunk, Number.isFinite(length) ? length : 0);
    } catch (e) {
      if (!(e instanceof UpdateError)) throw e;
      refused = true;
      sendJson(ex, e.status, { error: e.message, state: updater.status().state });
    }
  };
  ex.onEnd = () => {
    if (refused) return;
    const status = updater.status();
    if (status.state === "installed") return sendJson(ex, 200, { state: status.state, detail: status.detail });
    updater.abandon(`the upload ended at byte ${offset} of ${status.size || "?"}`);
    sendJson(ex, 400, { error: `the image ended at byte ${offset}${status.size ? " of " + status.size : ""}: it is not installed`, state: updater.status().state });
  };
}

export const FIRMWARE_ROUTES: readonly Route<WebContext>[] = frozen([{ method: "PUT", path: "/api/firmware", handler: forRole("administrator", upload), options: { stream: true } }]);
