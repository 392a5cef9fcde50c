import { describe, expect, it } from "vitest";
import type { SyncState } from "../bindings/SyncState";
import { syncView } from "./syncView";

const base: SyncState = {
  phase: "up_to_date",
  pushed: 0,
  pulled: 0,
  bytes_up: 0,
  bytes_down: 0,
  to_push: 0,
  message: null,
  last_sync: "2025-03-03T08:00:00Z",
};

describe("sync view", () => {
  it("says up to date in green words", () => {
    const v = syncView(base, "id");
    expect(v.label).toBe("Mutakhir");
    expect(v.colour).toBe("var(--phase-ok)");
    expect(v.online).toBe(true);
    expect(v.progress).toBeNull();
  });

  it("shows progress while syncing, never past the end", () => {
    const v = syncView({ ...base, phase: "syncing", pushed: 12, to_push: 10, pulled: 3 }, "en");
    expect(v.label).toBe("Syncing…");
    expect(v.progress).toEqual({ value: 10, max: 10 });
    expect(v.counts).toBe("12 of 10 changes sent, 3 received");
  });

  it("passes on news of a sync that went well, such as a server restored from a backup", () => {
    const message = "server ini dipulihkan dari cadangan atau baru bagi perangkat ini; 58 perubahan dari perangkat ini dikirim ulang";
    const v = syncView({ ...base, message }, "id");
    expect(v.detail).toBe(message);
    expect(v.label).toBe("Mutakhir");
    expect(syncView(base, "id").detail).toBeNull();
    expect(syncView({ ...base, phase: "syncing", message }, "id").detail).toBeNull();
  });

  it("passes on why it is offline or failing", () => {
    const offline = syncView({ ...base, phase: "offline", message: "server tidak terjangkau" }, "id");
    expect(offline.detail).toBe("server tidak terjangkau");
    expect(offline.online).toBe(false);
    const error = syncView({ ...base, phase: "error", message: "perangkat dicabut" }, "en");
    expect(error.label).toBe("Sync failed");
    expect(error.colour).toBe("var(--phase-error)");
  });

  it("names the state of a device without a server", () => {
    expect(syncView({ ...base, phase: "not_enrolled" }, "en").label).toBe(
      "Not enrolled with a server",
    );
  });
});
