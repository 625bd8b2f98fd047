//! The kernel's own view of bonds, read over rtnetlink (the `IFLA_BOND_*` and
//! `IFLA_BOND_SLAVE_*` attributes), with a change stream from the link multicast group.
//! NetworkManager does not expose any of this.

pub mod control;
pub mod diagnose;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod lacp;
pub mod netlink;
pub mod procfs;
pub mod state;
pub mod sysfs;

pub use diagnose::{diagnose, Diagnostic, LiveDiagnoser, NmView};
pub use netlink::{read_bonds, LinkEvents};
pub use state::{KernelBond, KernelPort};
