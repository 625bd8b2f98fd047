//! The parts of NetworkManager's D-Bus API that Bondsmith uses (NM 1.42 and later).
//! Calls that change something may ask the user for a password (polkit's agent on the
//! desktop), so they carry D-Bus's ALLOW_INTERACTIVE_AUTHORIZATION flag.

use super::settings::NmSettings;
use std::collections::HashMap;
use zbus::proxy;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue};

#[proxy(
    interface = "org.freedesktop.NetworkManager",
    default_service = "org.freedesktop.NetworkManager",
    default_path = "/org/freedesktop/NetworkManager"
)]
pub trait NetworkManager {
    fn get_devices(&self) -> zbus::Result<Vec<OwnedObjectPath>>;

    #[zbus(allow_interactive_auth)]
    fn activate_connection(
        &self,
        connection: &ObjectPath<'_>,
        device: &ObjectPath<'_>,
        specific_object: &ObjectPath<'_>,
    ) -> zbus::Result<OwnedObjectPath>;

    #[zbus(allow_interactive_auth)]
    fn deactivate_connection(&self, active_connection: &ObjectPath<'_>) -> zbus::Result<()>;

    #[zbus(allow_interactive_auth)]
    fn checkpoint_create(
        &self,
        devices: &[ObjectPath<'_>],
        rollback_timeout: u32,
        flags: u32,
    ) -> zbus::Result<OwnedObjectPath>;

    #[zbus(allow_interactive_auth)]
    fn checkpoint_destroy(&self, checkpoint: &ObjectPath<'_>) -> zbus::Result<()>;

    #[zbus(allow_interactive_auth)]
    fn checkpoint_rollback(
        &self,
        checkpoint: &ObjectPath<'_>,
    ) -> zbus::Result<HashMap<String, u32>>;

    #[zbus(allow_interactive_auth)]
    fn checkpoint_adjust_rollback_timeout(
        &self,
        checkpoint: &ObjectPath<'_>,
        add_timeout: u32,
    ) -> zbus::Result<()>;

    #[zbus(property)]
    fn version(&self) -> zbus::Result<String>;

    #[zbus(property)]
    fn checkpoints(&self) -> zbus::Result<Vec<OwnedObjectPath>>;
}

#[proxy(
    interface = "org.freedesktop.NetworkManager.Settings",
    default_service = "org.freedesktop.NetworkManager",
    default_path = "/org/freedesktop/NetworkManager/Settings"
)]
pub trait Settings {
    fn list_connections(&self) -> zbus::Result<Vec<OwnedObjectPath>>;

    #[zbus(allow_interactive_auth)]
    fn add_connection2(
        &self,
        settings: &NmSettings,
        flags: u32,
        args: &HashMap<String, OwnedValue>,
    ) -> zbus::Result<(OwnedObjectPath, HashMap<String, OwnedValue>)>;
}

#[proxy(
    interface = "org.freedesktop.NetworkManager.Settings.Connection",
    default_service = "org.freedesktop.NetworkManager"
)]
pub trait Connection {
    fn get_settings(&self) -> zbus::Result<NmSettings>;

    #[zbus(allow_interactive_auth)]
    fn update2(
        &self,
        settings: &NmSettings,
        flags: u32,
        args: &HashMap<String, OwnedValue>,
    ) -> zbus::Result<HashMap<String, OwnedValue>>;

    #[zbus(allow_interactive_auth)]
    fn delete(&self) -> zbus::Result<()>;

    #[zbus(property)]
    fn flags(&self) -> zbus::Result<u32>;

    #[zbus(property)]
    fn filename(&self) -> zbus::Result<String>;
}

#[proxy(
    interface = "org.freedesktop.NetworkManager.Connection.Active",
    default_service = "org.freedesktop.NetworkManager"
)]
pub trait ActiveConnection {
    #[zbus(signal, name = "StateChanged")]
    fn activation_state_changed(&self, state: u32, reason: u32) -> zbus::Result<()>;

    #[zbus(property)]
    fn state(&self) -> zbus::Result<u32>;

    #[zbus(property)]
    fn devices(&self) -> zbus::Result<Vec<OwnedObjectPath>>;
}

#[proxy(
    interface = "org.freedesktop.NetworkManager.Device",
    default_service = "org.freedesktop.NetworkManager"
)]
pub trait Device {
    #[zbus(allow_interactive_auth)]
    fn disconnect(&self) -> zbus::Result<()>;

    /// Applies the saved profile (an empty map) to the running device in place.
    #[zbus(allow_interactive_auth)]
    fn reapply(&self, connection: &NmSettings, version_id: u64, flags: u32) -> zbus::Result<()>;

    fn get_applied_connection(&self, flags: u32) -> zbus::Result<(NmSettings, u64)>;

    /// The ports attached to a bond (NM ≥ 1.34).
    #[zbus(property)]
    fn ports(&self) -> zbus::Result<Vec<OwnedObjectPath>>;
}

#[proxy(
    interface = "org.freedesktop.DBus.ObjectManager",
    default_service = "org.freedesktop.NetworkManager",
    default_path = "/org/freedesktop"
)]
pub trait ObjectManager {
    #[allow(clippy::type_complexity)]
    fn get_managed_objects(
        &self,
    ) -> zbus::Result<HashMap<OwnedObjectPath, HashMap<String, HashMap<String, OwnedValue>>>>;
}

/// AddConnection2 / Update2 flags.
pub const SAVE_TO_DISK: u32 = 0x1;
pub const SAVE_IN_MEMORY: u32 = 0x2;
pub const BLOCK_AUTOCONNECT: u32 = 0x20;
/// Update2: do not let NM reapply on its own; Bondsmith decides reapply or re-activation.
pub const UPDATE_NO_REAPPLY: u32 = 0x40;
/// Settings.Connection `Flags`: the profile has changes not written to disk.
pub const CONNECTION_FLAG_UNSAVED: u32 = 0x1;
/// CheckpointCreate flags.
pub const CHECKPOINT_DELETE_NEW_CONNECTIONS: u32 = 0x2;
