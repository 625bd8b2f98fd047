//! NetworkManager over D-Bus.

pub mod client;
pub mod error;
pub mod proxies;
pub mod settings;

pub use client::{
    ApplyOptions, ApplyReport, BondEdit, BondProfile, DeviceInfo, NmClient, Pending, PortProfile,
};
pub use error::NmError;
pub mod watch;
