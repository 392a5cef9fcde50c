import { describe, expect, it } from "vitest";
import { CHANNELS } from "../bindings/channels";
import { strings } from "../i18n";
import { channelLabel, channelOptions } from "./channels";

describe("channels", () => {
  it("offers as filter options exactly the list generated from the backend", () => {
    expect(channelOptions()).toEqual(CHANNELS);
    expect(channelOptions()).toContain("web");
  });

  it("labels a web response as web in both languages", () => {
    expect(strings.id.responses.channelName("web")).toBe("Web");
    expect(strings.en.responses.channelName("web")).toBe("Web");
  });

  it("has words for every channel in both languages", () => {
    for (const c of CHANNELS) {
      expect(strings.id.responses.channelName(c)).not.toBe(c);
      expect(strings.en.responses.channelName(c)).not.toBe(c);
    }
  });

  it("shows a channel it does not know as it is, never as web", () => {
    expect(strings.id.responses.channelName("sms")).toBe("sms");
    expect(channelLabel({ interview: "a", kiosk: "b", paper: "c", web: "d" }, "sms")).toBe("sms");
  });
});
