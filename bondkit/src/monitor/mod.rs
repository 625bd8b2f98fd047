//! Redundancy alerts: the background monitor's judgement. It follows the kernel's link
//! events for every bond (no polling), works out what each change means for the bond's
//! redundancy, and coalesces a flapping port into few alerts. Front ends only deliver the
//! [`Alert`]s: the GUI as notifications, `bondctl monitor` as lines or JSON.

mod alert;
mod health;
mod tracker;
mod watch;

pub use alert::{Alert, AlertKind, Severity};
pub use health::{health, Health, Lacp, Level};
pub use tracker::{Monitor, FLAP_QUIET, HOLD, JOIN_GRACE};
pub use watch::watch;

#[cfg(test)]
mod tests;
