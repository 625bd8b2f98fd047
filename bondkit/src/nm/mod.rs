//! NetworkManager over D-Bus.

pub mod adopt;
pub mod apply;
pub mod client;
pub mod deadman;
pub mod error;
pub mod proxies;
pub mod read;
pub mod settings;
pub mod txn;
pub mod watch;

pub use crate::model::BondEdit;
pub use adopt::Adoption;
pub use apply::EditPlan;
pub use client::{
    ApplyOptions, ApplyReport, BondProfile, DeviceInfo, NmClient, Pending, PortProfile,
};
pub use deadman::{DeadMan, DEAD_MAN_SECS};
pub use error::NmError;
pub use txn::{RollbackReport, ROLLBACK_SECS};
