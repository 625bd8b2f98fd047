//! A bond's options as the kernel runs them (`/sys/class/net/BOND/bonding/OPTION`), to check
//! that a change reached the kernel rather than trusting that it did.

use crate::model::validate::same_value;
use std::path::PathBuf;

fn dir(bond: &str) -> PathBuf {
    PathBuf::from("/sys/class/net").join(bond).join("bonding")
}

/// Whether this process sees the bond's kernel options (the bond may live in another
/// network namespace, as in the demo and the test beds).
pub fn visible(bond: &str) -> bool {
    dir(bond).is_dir()
}

/// The kernel's value of `option`, as NM would write it: choices by name ("layer3+4 1" is
/// read as "layer3+4"), lists with commas.
pub fn option(bond: &str, option: &str) -> Option<String> {
    let raw = std::fs::read_to_string(dir(bond).join(option)).ok()?;
    let raw = raw.trim();
    let spec = crate::model::spec(option)?;
    Some(match spec.kind {
        crate::model::ValueKind::Choice { .. } => {
            raw.split_whitespace().next().unwrap_or("").to_string()
        }
        crate::model::ValueKind::Ipv4List | crate::model::ValueKind::Ipv6List => {
            raw.split_whitespace().collect::<Vec<_>>().join(",")
        }
        _ => raw.to_string(),
    })
}

/// The options of `want` (key → value as stored) that the kernel does not run, with what
/// it runs instead. Options the kernel has no file for are not judged.
pub fn differences(bond: &str, want: &[(String, String)]) -> Vec<(String, String, String)> {
    want.iter()
        .filter_map(|(k, v)| {
            let is = option(bond, k)?;
            // An unset option is the kernel default, which NM writes as such.
            (!same_value(k, v, &is)).then(|| (k.clone(), v.clone(), is))
        })
        .collect()
}
