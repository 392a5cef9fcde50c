//! The supervisors' web in a real browser: Debian's headless `chromium` driven over
//! WebDriver (`chromedriver`) by the pages' `data-testid`s, against a real `simpul-server`
//! fed by real `simpul` devices. Needs `cargo build -p simpul-cli -p simpul-server` after
//! `npm run build` in `ui/` (the server embeds the pages); `scripts/test` does both and
//! installs Chromium. Every page visited is saved under `target/e2e-screenshots/web/`.

// A supervisor's morning: sign in, the overview and a unit's IKM as `simpul report` prints
// it, the review queue, a conflict settled and a sheet rejected, and the devices agreeing.
mod review;
// A unit's follow-up plan written on its page, and the official PDF downloaded with it.
mod plan;
// A respondent's phone: a survey link answered offline, sent once the signal returns.
mod survey;
// A survey link made on the web, its QR code, poster and numbered sheets, then closed.
mod links;
