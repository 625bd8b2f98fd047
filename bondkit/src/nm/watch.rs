//! Change notifications from NetworkManager, so that views refresh on signals, never on a
//! timer, and only on signals about what Bondsmith shows: profiles, active connections and
//! wired, bond and veth devices. A Wi-Fi scan (access points, wireless devices) or a DHCP
//! lease renewal is no reason to re-read anything.

use super::client::NmClient;
use super::error::{from_dbus, NmError};
use futures_util::StreamExt;
use std::collections::HashMap;
use zbus::message::Type;
use zbus::zvariant::OwnedValue;
use zbus::MatchRule;

/// Signals after which a bond list or device view may be out of date.
const RELEVANT: &[&str] = &[
    "NewConnection",
    "ConnectionRemoved",
    "Updated",
    "StateChanged",
    "PropertiesChanged",
    "DeviceAdded",
    "DeviceRemoved",
];

/// The D-Bus interfaces whose property changes matter to a bond view.
const WATCHED_INTERFACES: &[&str] = &[
    "org.freedesktop.NetworkManager",
    "org.freedesktop.NetworkManager.Device",
    "org.freedesktop.NetworkManager.Device.Wired",
    "org.freedesktop.NetworkManager.Device.Bond",
    "org.freedesktop.NetworkManager.Device.Veth",
    "org.freedesktop.NetworkManager.Connection.Active",
    "org.freedesktop.NetworkManager.Settings",
    "org.freedesktop.NetworkManager.Settings.Connection",
];

/// Whether a signal `member` from `path` (with, for PropertiesChanged, the interface it is
/// about) can change what Bondsmith shows.
pub fn relevant(member: &str, path: &str, props_interface: Option<&str>) -> bool {
    if !RELEVANT.contains(&member) {
        return false;
    }
    // Access points, IP and DHCP configs, Wi-Fi P2P peers: never a bond's business.
    let unrelated = [
        "/AccessPoint/",
        "/IP4Config/",
        "/IP6Config/",
        "/DHCP4Config/",
        "/DHCP6Config/",
        "/WifiP2PPeer/",
    ];
    if unrelated.iter().any(|u| path.contains(u)) {
        return false;
    }
    match (member, props_interface) {
        ("PropertiesChanged", Some(i)) => WATCHED_INTERFACES.contains(&i),
        ("PropertiesChanged", None) => false,
        _ => true,
    }
}

impl NmClient {
    /// A tick for every NM signal that may change bonds, ports or devices.
    pub async fn changes(&self) -> Result<futures_util::stream::BoxStream<'static, ()>, NmError> {
        let err = |e| from_dbus(e, "watch NetworkManager");
        let rule = MatchRule::builder()
            .msg_type(Type::Signal)
            .sender("org.freedesktop.NetworkManager")
            .map_err(err)?
            .build();
        let stream = zbus::MessageStream::for_match_rule(rule, self.connection(), Some(256))
            .await
            .map_err(err)?;
        Ok(stream
            .filter_map(|msg| async move {
                let msg = msg.ok()?;
                let header = msg.header();
                let member = header.member()?.to_string();
                let path = header.path().map(|p| p.to_string()).unwrap_or_default();
                let iface = (member == "PropertiesChanged")
                    .then(|| {
                        msg.body()
                            .deserialize::<(String, HashMap<String, OwnedValue>, Vec<String>)>()
                            .ok()
                            .map(|(i, _, _)| i)
                    })
                    .flatten();
                relevant(&member, &path, iface.as_deref()).then_some(())
            })
            .boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wifi_scan_is_not_a_change() {
        let ap = "/org/freedesktop/NetworkManager/AccessPoint/12";
        assert!(!relevant(
            "PropertiesChanged",
            ap,
            Some("org.freedesktop.NetworkManager.AccessPoint")
        ));
        let wifi = "/org/freedesktop/NetworkManager/Devices/3";
        assert!(!relevant(
            "PropertiesChanged",
            wifi,
            Some("org.freedesktop.NetworkManager.Device.Wireless")
        ));
        assert!(!relevant("AccessPointAdded", wifi, None));
        assert!(!relevant(
            "PropertiesChanged",
            "/org/freedesktop/NetworkManager/DHCP4Config/2",
            Some("org.freedesktop.NetworkManager.DHCP4Config")
        ));
        // What a bond view shows does count.
        assert!(relevant(
            "PropertiesChanged",
            wifi,
            Some("org.freedesktop.NetworkManager.Device")
        ));
        assert!(relevant("StateChanged", wifi, None));
        assert!(relevant(
            "NewConnection",
            "/org/freedesktop/NetworkManager/Settings",
            None
        ));
    }
}
