/**
 * Update (administrators): a signed firmware image (`npm run firmware -- sign`) sent over the page's
 * JANOS WebSocket in pieces (`Firmware Write`), each acknowledged with the offset that comes next.
 * An upload this page started and lost (the connection dropped) goes on where it stopped. The
 * progress bar and the state follow the unit's live keys, so every open page shows an update.
 */
import { app, janos, type View } from "../app.ts";
import { busy, field, h, setText } from "../dom.ts";
import { watch } from "../store.ts";

export function updateView(): View {
  const file = h("input", { type: "file", id: "firmware-file", accept: ".iobox,application/octet-stream", required: true });
  const go = h("button", { type: "submit", id: "firmware-install" }, "Install");
  const bar = h("progress", { id: "firmware-progress", max: 100, value: 0 });
  const state = h("span", { id: "firmware-state" });
  const detail = h("span", { class: "muted" });
  const version = h("span");
  const form = h(
    "form",
    { class: "card" },
    h("h2", null, "Firmware"),
    h("p", null, "Running ", version, ". An image is checked (its signature, board and version) before it is written, and the unit restarts into it on probation: it goes back to this one by itself if the new one cannot be reached."),
    field("Signed image", file),
    h("p", { class: "bar" }, go),
    h("p", null, bar, " ", state, " ", detail),
  );
  watch("$Version", (v) => setText(version, v));
  watch("Firmware/$Progress", (p) => (bar.value = p === "" ? (state.textContent === "installed" ? 100 : 0) : Number(p)));
  watch("Firmware/$State", (s) => {
    setText(state, s);
    if (s === "installed" || s === "confirmed") bar.value = 100;
  });
  watch("Firmware/$Detail", (d) => setText(detail, d));

  form.onsubmit = (e) => {
    e.preventDefault();
    void busy(go, form, async () => {
      const f = file.files?.[0];
      if (!f) throw new Error("Choose a signed image first.");
      const image = new Uint8Array(await f.arrayBuffer());
      // pieces of 32 KB at most: the bar moves, and a dropped connection loses little
      const piece = Math.min(app.info?.firmwarePiece ?? 2048, 32 * 1024);
      // an upload of this very image that a dropped connection cut off goes on where it stopped
      const status = await janos.request({ Message: "Firmware Status" });
      let offset = status.State === "receiving" && status.Size === image.length ? Number(status.Offset) : 0;
      while (offset < image.length) {
        const answer = await janos.request({ Message: "Firmware Write", Offset: offset, Size: image.length, Data: base64(image.subarray(offset, offset + piece)) });
        if (answer.Status !== "Succeed") throw new Error(String(answer.Detail ?? "refused"));
        offset = Number(answer.Offset);
        bar.value = Math.floor((offset * 100) / image.length);
      }
      return "Installed: the unit restarts into it and this page reconnects.";
    });
  };
  return { el: h("div", null, form) };
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
