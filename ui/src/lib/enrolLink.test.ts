import { describe, expect, it } from "vitest";
import { enrolLink, parseEnrolLink } from "./enrolLink";

describe("enrolment links", () => {
  it("read back as the server and code they were made of", () => {
    const link = enrolLink("http://10.0.0.2:8080/skm?x=1&y=2", "KQ7M-4XPA-2H");
    expect(link.startsWith("simpul:enrol?")).toBe(true);
    expect(parseEnrolLink(`  ${link}\n`)).toEqual({ server: "http://10.0.0.2:8080/skm?x=1&y=2", code: "KQ7M-4XPA-2H" });
  });

  it("leave any other text alone", () => {
    for (const text of [
      "https://skm.example.go.id",
      "simpul:enrol?code=KQ7M",
      "simpul:enrol?server=ftp%3A%2F%2Fx&code=KQ7M",
      "simpul:enrol?server=http%3A%2F%2Fx&code=",
      "",
    ]) {
      expect(parseEnrolLink(text)).toBeNull();
    }
  });
});
