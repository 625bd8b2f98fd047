//! NetworkManager versions, for options that only newer daemons accept.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct NmVersion {
    pub major: u32,
    pub minor: u32,
    pub micro: u32,
}

impl NmVersion {
    pub const fn new(major: u32, minor: u32, micro: u32) -> NmVersion {
        NmVersion {
            major,
            minor,
            micro,
        }
    }

    /// The oldest daemon Bondsmith supports (Debian 12).
    pub const OLDEST: NmVersion = NmVersion::new(1, 42, 0);
    /// Used for dry runs when no daemon is asked: accept everything the table knows.
    pub const NEWEST: NmVersion = NmVersion::new(1, u32::MAX, 0);

    /// Parses "1.42.4", "1.46.0-3.fc40" or "1.51.2-dev".
    pub fn parse(s: &str) -> Option<NmVersion> {
        let mut parts = s.trim().split('.').map(|p| {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u32>().ok()
        });
        let major = parts.next()??;
        let minor = parts.next()??;
        let micro = parts.next().flatten().unwrap_or(0);
        Some(NmVersion::new(major, minor, micro))
    }
}

impl fmt::Display for NmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minor == u32::MAX {
            return write!(f, "{}.x", self.major);
        }
        write!(f, "{}.{}.{}", self.major, self.minor, self.micro)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_distribution_versions() {
        assert_eq!(NmVersion::parse("1.42.4"), Some(NmVersion::new(1, 42, 4)));
        assert_eq!(
            NmVersion::parse("1.46.0-3.fc40"),
            Some(NmVersion::new(1, 46, 0))
        );
        assert_eq!(NmVersion::parse("1.51"), Some(NmVersion::new(1, 51, 0)));
        assert_eq!(NmVersion::parse("garbage"), None);
        assert!(NmVersion::new(1, 42, 8) < NmVersion::new(1, 44, 0));
    }
}
