import { describe, expect, it } from "vitest";
import {
  formatRate,
  invitationContact,
  invitationState,
  inviteCommand,
  newestInvitations,
  responseRate,
  totalTally,
} from "./invitations";
import type { Invitation } from "./types";

const invited: Invitation = {
  token: "abcdefghjkmn",
  name: "Ani",
  phone: "6281211112222",
  email: null,
  service: "KTP-el",
  service_date: "2026-11-28",
  sent_at: null,
  reminded_at: null,
  opened_at: null,
  answered_at: null,
  opted_out_at: null,
};

describe("the response rate", () => {
  it("is answered of sent, to one decimal, in the reader's way of writing numbers", () => {
    expect(responseRate({ sent: 3, answered: 1 })).toBe(33.3);
    expect(formatRate(responseRate({ sent: 3, answered: 1 }), "id")).toBe("33,3 %");
    expect(formatRate(responseRate({ sent: 3, answered: 1 }), "en")).toBe("33.3 %");
    expect(formatRate(responseRate({ sent: 4, answered: 4 }), "id")).toBe("100,0 %");
    expect(formatRate(responseRate({ sent: 5, answered: 0 }), "en")).toBe("0.0 %");
  });

  it("has none when nothing was sent", () => {
    expect(responseRate({ sent: 0, answered: 0 })).toBeNull();
    expect(formatRate(null, "id")).toBe("—");
  });

  it("rounds half up, whatever binary fractions make of it", () => {
    expect(responseRate({ sent: 3, answered: 2 })).toBe(66.7);
    expect(responseRate({ sent: 16, answered: 1 })).toBe(6.3); // 6.25
    expect(responseRate({ sent: 2000, answered: 21 })).toBe(1.1); // 1.05
    expect(responseRate({ sent: 2000, answered: 7 })).toBe(0.4); // 0.35
    expect(responseRate({ sent: 20_000, answered: 1 })).toBe(0); // 0.005
  });

  it("adds both channels up for the total", () => {
    const total = totalTally({
      email: { invited: 3, sent: 3, opened: 1, answered: 1, opted_out: 1 },
      sms_whatsapp: { invited: 2, sent: 1, opened: 1, answered: 1, opted_out: 0 },
    });
    expect(total).toEqual({ invited: 5, sent: 4, opened: 2, answered: 2, opted_out: 1 });
    expect(formatRate(responseRate(total), "id")).toBe("50,0 %");
  });
});

describe("an invitation", () => {
  it("stands at its furthest step, with that step's time", () => {
    const sent = { ...invited, sent_at: "2026-12-01T02:00:00Z" };
    const reminded = { ...sent, reminded_at: "2026-12-04T02:00:00Z" };
    const opened = { ...reminded, opened_at: "2026-12-05T03:00:00Z" };
    const answered = { ...opened, answered_at: "2026-12-05T03:10:00Z" };
    expect(invitationState(invited)).toEqual({ state: "notSent", at: null });
    expect(invitationState(sent)).toEqual({ state: "sent", at: "2026-12-01T02:00:00Z" });
    expect(invitationState(reminded)).toEqual({ state: "reminded", at: "2026-12-04T02:00:00Z" });
    expect(invitationState(opened)).toEqual({ state: "opened", at: "2026-12-05T03:00:00Z" });
    expect(invitationState(answered)).toEqual({ state: "answered", at: "2026-12-05T03:10:00Z" });
    // Opting out closes the link, even after opening it or answering.
    expect(invitationState({ ...answered, opted_out_at: "2026-12-06T00:00:00Z" })).toEqual({
      state: "optedOut",
      at: "2026-12-06T00:00:00Z",
    });
    expect(invitationState({ ...sent, opted_out_at: "2026-12-02T00:00:00Z" }).state).toBe("optedOut");
  });

  it("is reached by e-mail when it has an address, else by phone written internationally", () => {
    expect(invitationContact({ email: "ani@contoh.id", phone: "6281211112222" })).toBe("ani@contoh.id");
    expect(invitationContact({ email: null, phone: "6281211112222" })).toBe("+6281211112222");
    expect(invitationContact({ email: null, phone: "+6281211112222" })).toBe("+6281211112222");
    expect(invitationContact({ email: null, phone: null })).toBeNull();
  });
});

describe("the list of invitations", () => {
  const many = Array.from({ length: 205 }, (_, i) => ({ ...invited, token: `t${i}` }));

  it("shows the newest first, at most 200, and counts the rest", () => {
    const { shown, more } = newestInvitations(many);
    expect(shown).toHaveLength(200);
    expect(shown[0].token).toBe("t204");
    expect(shown[199].token).toBe("t5");
    expect(more).toBe(5);
  });

  it("shows a short list whole", () => {
    const { shown, more } = newestInvitations(many.slice(0, 3));
    expect(shown.map((i) => i.token)).toEqual(["t2", "t1", "t0"]);
    expect(more).toBe(0);
    expect(newestInvitations([])).toEqual({ shown: [], more: 0 });
  });

  it("points to the command that makes invitations while there are none", () => {
    expect(inviteCommand("U-CAPIL")).toBe("simpul-server admin invite --unit U-CAPIL --csv FILE --send");
    expect(inviteCommand("U CAPIL")).toBe("simpul-server admin invite --unit 'U CAPIL' --csv FILE --send");
  });
});
