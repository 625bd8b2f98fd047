//! bondkit: the truth about Linux bonds for Bondsmith, without GTK.
//!
//! - [`model`]: modes, the one option table, NM's validation rules, the bond configuration;
//! - [`nm`]: a NetworkManager client over D-Bus (zbus) with checkpoints and rollback;
//! - [`export`]: the same bond as nmcli commands and other formats;
//! - [`draft`]: configurations drafted by hand or by an assistant, read and checked;
//! - [`monitor`]: redundancy alerts from the kernel's link events;
//! - [`probe`] and [`failover`]: the failover test, on one clock ([`clock`]).

pub mod clock;
pub mod draft;
pub mod export;
pub mod failover;
pub mod kernel;
pub mod model;
pub mod monitor;
pub mod nm;
pub mod probe;
