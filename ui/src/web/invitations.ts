// Invitations on the survey links page, apart from the page that shows them: how each channel
// fared, and where each invited person stands. The server counts; this only adds up, divides
// and picks what to show, so that the page's figures can be checked without a browser.
import type { Language } from "../bindings/Language";
import type { Invitation, InvitationChannel, InvitationTally, InvitationsView } from "./types";

/** The channels in the order the table lists them. */
export const INVITATION_CHANNELS: readonly InvitationChannel[] = ["email", "sms_whatsapp"];

/** The page lists at most this many invitations: a unit may invite thousands, and the rates
 * table already counts them all. */
export const MAX_SHOWN = 200;

/** Both channels together, for the table's total row. */
export function totalTally(byChannel: InvitationsView["by_channel"]): InvitationTally {
  const total: InvitationTally = { invited: 0, sent: 0, opened: 0, answered: 0, opted_out: 0 };
  for (const channel of INVITATION_CHANNELS) {
    const tally = byChannel[channel];
    total.invited += tally.invited;
    total.sent += tally.sent;
    total.opened += tally.opened;
    total.answered += tally.answered;
    total.opted_out += tally.opted_out;
  }
  return total;
}

/**
 * The response rate: answered ÷ sent, as a percentage rounded to one decimal, half up; null
 * when nothing was sent (an invitation never sent cannot be answered, so it does not count
 * against the unit). Rounded on whole numbers, because a share such as 21 of 2000 (1.05 %)
 * is no exact binary fraction and would round either way by chance.
 */
export function responseRate(tally: Pick<InvitationTally, "sent" | "answered">): number | null {
  if (tally.sent <= 0) return null;
  const thousandths = tally.answered * 1000;
  const tenths = Math.floor(thousandths / tally.sent) + (2 * (thousandths % tally.sent) >= tally.sent ? 1 : 0);
  return tenths / 10;
}

/** A rate as the reader's language writes numbers ("33,3 %", "33.3 %"); "—" without one. */
export function formatRate(rate: number | null, lang: Language): string {
  if (rate === null) return "—";
  return `${rate.toLocaleString(lang === "id" ? "id-ID" : "en-GB", {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  })} %`;
}

export type InvitationState = "optedOut" | "answered" | "opened" | "reminded" | "sent" | "notSent";

/**
 * Where an invitation stands, as one word, with the time it got there. The furthest step
 * wins: opting out closes the link whatever came before, and an answer says more than an
 * opening, an opening more than a reminder.
 */
export function invitationState(invitation: Invitation): { state: InvitationState; at: string | null } {
  if (invitation.opted_out_at) return { state: "optedOut", at: invitation.opted_out_at };
  if (invitation.answered_at) return { state: "answered", at: invitation.answered_at };
  if (invitation.opened_at) return { state: "opened", at: invitation.opened_at };
  if (invitation.reminded_at) return { state: "reminded", at: invitation.reminded_at };
  if (invitation.sent_at) return { state: "sent", at: invitation.sent_at };
  return { state: "notSent", at: null };
}

/** How the invitation reached the person: their e-mail when they have one (it went by
 * e-mail then), else their phone written internationally, as the server stores it without
 * the plus. */
export function invitationContact(invitation: Pick<Invitation, "email" | "phone">): string | null {
  if (invitation.email) return invitation.email;
  if (invitation.phone) return invitation.phone.startsWith("+") ? invitation.phone : `+${invitation.phone}`;
  return null;
}

/** The newest invitations first, at most `max`, and how many older ones are left out. The
 * server gives them oldest first. */
export function newestInvitations(
  invitations: Invitation[],
  max: number = MAX_SHOWN,
): { shown: Invitation[]; more: number } {
  const shown = invitations.slice(Math.max(0, invitations.length - max)).reverse();
  return { shown, more: invitations.length - shown.length };
}

/** The command that imports and sends a unit's invitations, for the page to point to while
 * there are none; a code the shell would split is quoted. */
export function inviteCommand(code: string): string {
  const unit = /^[A-Za-z0-9._-]+$/.test(code) ? code : `'${code.replace(/'/g, `'\\''`)}'`;
  return `simpul-server admin invite --unit ${unit} --csv FILE --send`;
}
