// What the QR code beside an enrolment code holds: the server's address and the code in one
// text, so a new tablet's first run needs one scan (or one paste) instead of two fields
// typed by hand. A QR scanner on the tablet copies the text; pasted into the app's address
// field, it fills both.

const PREFIX = "simpul:enrol?";

export function enrolLink(server: string, code: string): string {
  const query = new URLSearchParams({ server, code });
  return PREFIX + query.toString();
}

/** The server and code of an enrolment link; null for any other text (an address typed). */
export function parseEnrolLink(text: string): { server: string; code: string } | null {
  const trimmed = text.trim();
  if (!trimmed.toLowerCase().startsWith(PREFIX)) return null;
  const query = new URLSearchParams(trimmed.slice(PREFIX.length));
  const server = query.get("server")?.trim() ?? "";
  const code = query.get("code")?.trim() ?? "";
  if (!/^https?:\/\/\S+$/i.test(server) || code === "") return null;
  return { server, code };
}
