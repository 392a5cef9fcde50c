//! The app's commands as the window calls them, each test on its own SQLite file in a
//! temporary folder, and a real sync server on loopback for the sync tests.

mod helpers; // an App per test, set up and signed in; sample files; a server to start and stop

mod capture; // drafts that survive the app dying, submitting once, answers refused by name
mod enumerators; // PINs checked offline, kept across restarts
mod paper; // paper sheets typed twice: merged, conflicts by who typed them, resolved
mod report; // the IKM of the published sample and its breakdowns
mod responses; // the list, deleting and undoing it
mod setup; // first run offline and what Home shows
mod sync; // background sync with a real server that comes and goes
mod transfer; // CSV with typing mistakes, bundles between two devices
