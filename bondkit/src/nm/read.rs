//! Reading NM's view: devices, profiles and bonds (keyed by UUID), in few D-Bus calls.

use super::client::*;
use super::error::{from_dbus, NmError};
use super::settings::{self, get_str, NmSettings};
use std::collections::HashMap;
use zbus::zvariant::OwnedObjectPath;

impl NmClient {
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>> {
        let objects = self.managed_objects().await?;
        // Active connections by path: their profile name, and whether they carry a default route.
        let active: HashMap<String, (String, bool)> = objects
            .iter()
            .filter_map(|(p, ifaces)| {
                let a = ifaces.get("org.freedesktop.NetworkManager.Connection.Active")?;
                let default = prop::<bool>(a, "Default").unwrap_or(false)
                    || prop::<bool>(a, "Default6").unwrap_or(false);
                Some((p.to_string(), (prop::<String>(a, "Id")?, default)))
            })
            .collect();
        let mut out: Vec<DeviceInfo> = objects
            .iter()
            .filter_map(|(path, ifaces)| {
                let d = ifaces.get("org.freedesktop.NetworkManager.Device")?;
                // NM keeps placeholders for virtual devices that do not exist yet.
                if prop::<bool>(d, "Real") == Some(false) {
                    return None;
                }
                let wired = ifaces.get("org.freedesktop.NetworkManager.Device.Wired");
                let kind = device_kind(prop::<u32>(d, "DeviceType").unwrap_or(0));
                let flags = prop::<u32>(d, "InterfaceFlags").unwrap_or(0);
                let ac = prop::<OwnedObjectPath>(d, "ActiveConnection").map(|p| p.to_string());
                Some(DeviceInfo {
                    interface: prop(d, "Interface")?,
                    path: path.clone(),
                    kind: kind.to_string(),
                    state: device_state_name(prop(d, "State").unwrap_or(0)).to_string(),
                    carrier: Some(flags & 0x10000 != 0),
                    speed_mbps: wired
                        .and_then(|w| prop::<u32>(w, "Speed"))
                        .filter(|s| *s > 0),
                    hw_address: prop(d, "HwAddress").unwrap_or_default(),
                    connection: ac.as_ref().and_then(|p| active.get(p)).map(|a| a.0.clone()),
                    default_route: ac.as_ref().and_then(|p| active.get(p)).is_some_and(|a| a.1),
                    can_be_port: matches!(kind, "ethernet" | "veth"),
                })
            })
            .collect();
        out.sort_by(|a, b| a.interface.cmp(&b.interface));
        Ok(out)
    }

    /// Every profile with its settings and `Flags`.
    pub(crate) async fn all_profiles(&self) -> Result<Vec<(OwnedObjectPath, NmSettings, u32)>> {
        let paths = self
            .settings
            .list_connections()
            .await
            .map_err(|e| from_dbus(e, "list profiles"))?;
        let mut out = Vec::with_capacity(paths.len());
        for path in paths {
            let c = self.connection_proxy(&path).await?;
            // A profile can vanish between listing and reading; skip it.
            let Ok(s) = c.get_settings().await else {
                continue;
            };
            let flags = c.flags().await.unwrap_or(0);
            out.push((path, s, flags));
        }
        Ok(out)
    }

    /// The profile paths that devices run now (an active connection in state activated).
    async fn active_profiles(&self) -> Result<Vec<OwnedObjectPath>> {
        let objects = self.managed_objects().await?;
        Ok(objects
            .values()
            .filter_map(|ifaces| {
                let a = ifaces.get("org.freedesktop.NetworkManager.Connection.Active")?;
                (prop::<u32>(a, "State") == Some(ACTIVE_STATE_ACTIVATED))
                    .then(|| prop::<OwnedObjectPath>(a, "Connection"))
                    .flatten()
            })
            .collect())
    }

    /// Every bond profile with its ports. Two profiles for one interface are two bonds.
    pub async fn list_bonds(&self) -> Result<Vec<BondProfile>> {
        let profiles = self.all_profiles().await?;
        let devices = self.devices().await?;
        let active = self.active_profiles().await?;
        let mut bonds: Vec<BondProfile> = profiles
            .iter()
            .filter(|(_, s, _)| get_str(s, "connection", "type").as_deref() == Some("bond"))
            .map(|(path, s, flags)| {
                let settings = settings::read_bond(s);
                // A port names its bond by interface (any profile of it) or by UUID (this one).
                let keys = [settings.interface.as_str(), settings.uuid.as_str()];
                let ports = profiles
                    .iter()
                    .filter(|(_, p, _)| {
                        get_str(p, "connection", "slave-type").as_deref() == Some("bond")
                            && get_str(p, "connection", "master")
                                .is_some_and(|m| keys.contains(&m.as_str()))
                    })
                    .map(|(pp, p, _)| PortProfile {
                        id: get_str(p, "connection", "id").unwrap_or_default(),
                        uuid: get_str(p, "connection", "uuid").unwrap_or_default(),
                        interface: get_str(p, "connection", "interface-name").unwrap_or_default(),
                        settings: settings::read_bond_port(p),
                        path: pp.clone(),
                    })
                    .collect();
                let device_state = devices
                    .iter()
                    .find(|d| d.interface == settings.interface)
                    .map(|d| d.state.clone());
                BondProfile {
                    settings,
                    ports,
                    device_state,
                    in_memory: in_memory(*flags),
                    external: flags & FLAG_EXTERNAL != 0,
                    active: active.contains(path),
                    path: path.clone(),
                    raw: s.clone(),
                }
            })
            .collect();
        bonds.sort_by(|a, b| (a.name(), &a.settings.uuid).cmp(&(b.name(), &b.settings.uuid)));
        Ok(bonds)
    }

    /// The bond whose UUID, interface name or profile name is `name`. When two profiles
    /// share a name, the caller must give the UUID.
    pub async fn find_bond(&self, name: &str) -> Result<BondProfile> {
        pick_bond(self.list_bonds().await?, name)
    }

    /// The devices for `ports`, or a sentence naming the first that is missing or unsuitable.
    pub(crate) async fn port_devices(&self, ports: &[String]) -> Result<Vec<DeviceInfo>> {
        let devices = self.devices().await?;
        ports
            .iter()
            .map(|p| {
                let d = devices.iter().find(|d| &d.interface == p).ok_or_else(|| {
                    let names: Vec<&str> = devices.iter().filter(|d| d.can_be_port).map(|d| d.interface.as_str()).collect();
                    NmError::NotFound(format!("There is no network device named {p}; pick one of: {}.", if names.is_empty() { "(none found)".into() } else { names.join(", ") }))
                })?;
                if !d.can_be_port {
                    return Err(NmError::Invalid(format!("{p} is a {} device and cannot be a bond port; pick an ethernet device.", d.kind)));
                }
                if d.state == "unmanaged" {
                    return Err(NmError::Invalid(format!("NetworkManager does not manage {p}; let it manage the device (nmcli device set {p} managed yes) first.")));
                }
                Ok(d.clone())
            })
            .collect()
    }
}

/// The bond whose UUID, interface name or profile name is `name`, among `bonds`.
pub fn pick_bond(bonds: Vec<BondProfile>, name: &str) -> Result<BondProfile> {
    if let Some(b) = bonds.iter().find(|b| b.settings.uuid == name) {
        return Ok(b.clone());
    }
    let known: Vec<String> = bonds.iter().map(|b| b.name().to_string()).collect();
    let mut matches: Vec<BondProfile> = bonds
        .into_iter()
        .filter(|b| b.settings.interface == name || b.settings.id == name)
        .collect();
    if matches.len() > 1 {
        let uuids: Vec<String> = matches
            .iter()
            .map(|b| format!("{} ({})", b.settings.uuid, b.settings.id))
            .collect();
        return Err(NmError::Invalid(format!(
            "{} profiles are named {name}: {}; give the UUID of the one you mean.",
            matches.len(),
            uuids.join(", ")
        )));
    }
    matches.pop().ok_or_else(|| {
        let hint = if known.is_empty() {
            "there are no bond profiles yet".to_string()
        } else {
            format!("the bonds are: {}", known.join(", "))
        };
        NmError::NotFound(format!("There is no bond named {name}; {hint}."))
    })
}
