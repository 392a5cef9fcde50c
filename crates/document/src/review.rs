//! A supervisor's review of a response: a flat field of the document, so that it travels to
//! every device with the response and all of them count the same responses.
//!
//! Every response starts `received`. A supervisor marks it `has-issues`, `approved` or
//! `rejected` (a rejection always carries a note saying why); a rejected response leaves the
//! IKM everywhere, as a deleted one does.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    #[default]
    Received,
    HasIssues,
    Approved,
    Rejected,
}

impl ReviewState {
    pub const ALL: [ReviewState; 4] = [
        ReviewState::Received,
        ReviewState::HasIssues,
        ReviewState::Approved,
        ReviewState::Rejected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReviewState::Received => "received",
            ReviewState::HasIssues => "has-issues",
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
        }
    }

    /// Reads a code, ignoring case and surrounding spaces; `None` for anything else.
    pub fn parse(raw: &str) -> Option<ReviewState> {
        let raw = raw.trim();
        ReviewState::ALL
            .into_iter()
            .find(|state| state.code().eq_ignore_ascii_case(raw))
    }

    /// Whether responses in this state count in the IKM.
    pub fn counts(self) -> bool {
        self != ReviewState::Rejected
    }
}

impl fmt::Display for ReviewState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_code() {
        for state in ReviewState::ALL {
            assert_eq!(ReviewState::parse(state.code()), Some(state));
        }
        assert_eq!(
            ReviewState::parse(" Approved "),
            Some(ReviewState::Approved)
        );
        assert_eq!(ReviewState::parse("done"), None);
    }

    #[test]
    fn only_a_rejected_response_leaves_the_ikm() {
        let counted: Vec<_> = ReviewState::ALL
            .into_iter()
            .filter(|s| s.counts())
            .collect();
        assert_eq!(
            counted,
            [
                ReviewState::Received,
                ReviewState::HasIssues,
                ReviewState::Approved
            ]
        );
    }
}
