//! The codes people choose for a unit (`U-CAPIL`) and a survey period (`2026-S2`). Replicas
//! that never met must agree on them — a paper response's id is derived from both — so they
//! are never drawn at random, and one rule parses them on every replica.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Which code a value was meant to be: messages name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    Unit,
    Period,
}

impl fmt::Display for CodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CodeKind::Unit => "unit",
            CodeKind::Period => "period",
        })
    }
}

/// At most this many bytes: codes travel in every response and every file name.
pub const MAX_CODE_LEN: usize = 64;

/// The one rule: 1–64 ASCII letters, digits, `-`, `_` or `.`, surrounding blanks ignored.
fn parse_code(kind: CodeKind, raw: &str) -> Result<String> {
    let code = raw.trim();
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(code.to_string())
    } else {
        Err(Error::InvalidCode {
            kind,
            value: raw.to_string(),
        })
    }
}

macro_rules! code {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<$name> {
                parse_code($kind, raw).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;

            fn try_from(raw: String) -> Result<$name> {
                $name::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }
    };
}

code!(
    /// A public-service unit's code: devices, responses and enrolment codes belong to one.
    UnitCode,
    CodeKind::Unit
);

code!(
    /// A survey period's code, usually a semester (`2026-S2`) or a year.
    PeriodCode,
    CodeKind::Period
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_trimmed_and_keeps_its_case() {
        assert_eq!(
            UnitCode::parse("  U-Capil_2.a ").unwrap().as_str(),
            "U-Capil_2.a"
        );
        assert_eq!(PeriodCode::parse("2026-S2").unwrap().to_string(), "2026-S2");
    }

    #[test]
    fn a_code_with_blanks_inside_other_signs_or_too_long_is_refused_naming_its_kind() {
        let long = "A".repeat(MAX_CODE_LEN + 1);
        for raw in ["", "  ", "U CAPIL", "U/CAPIL", "ü", long.as_str()] {
            assert!(
                matches!(
                    UnitCode::parse(raw),
                    Err(Error::InvalidCode { kind: CodeKind::Unit, ref value }) if value == raw
                ),
                "{raw:?}"
            );
        }
        assert!(matches!(
            PeriodCode::parse("2026 S2"),
            Err(Error::InvalidCode {
                kind: CodeKind::Period,
                ..
            })
        ));
        assert!(PeriodCode::parse(&"9".repeat(MAX_CODE_LEN)).is_ok());
    }

    #[test]
    fn a_code_read_from_json_obeys_the_same_rule() {
        let code: UnitCode = serde_json::from_str("\"U-CAPIL\"").unwrap();
        assert_eq!(code.as_str(), "U-CAPIL");
        assert!(serde_json::from_str::<PeriodCode>("\"2026 S2\"").is_err());
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"U-CAPIL\"");
    }
}
