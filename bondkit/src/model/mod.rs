//! The bond model: modes, the option table, NM's rules and the whole bond configuration.

pub mod config;
pub mod edit;
pub mod form;
pub mod ip;
pub mod message;
pub mod mode;
pub mod option_formats;
pub mod options;
pub mod port;
pub mod validate;
pub mod version;

pub use config::{BondConfig, SPECIAL_MACS};
pub use edit::{ApplyPath, BondEdit, Change, FamilyEdit, Why};
pub use ip::{Family, IpAddress, IpFamily, IpMethod};
pub use message::{Arg, Code, Message};
pub use mode::{BondMode, ModeSet};
pub use options::{spec, Group, OptionSpec, ValueKind, OPTIONS};
pub use port::{port_spec, PortOptionSpec, PortSettings, PORT_OPTIONS};
pub use validate::{check_options, OptionMap, Problem, Verdict};
pub use version::NmVersion;

/// Marks a string for translation without translating it: bondkit has no gettext, but the
/// GUI looks these up in its catalog (xgettext extracts them with `--keyword=n_`).
pub const fn n_(s: &'static str) -> &'static str {
    s
}
