//! Bonding the connection you are on: the bond takes over the IP configuration of the
//! profile a port runs now (both families whole: method, addresses, gateway, DNS, routes and
//! every other key), so the machine keeps its address. With DHCP the bond also takes the
//! port's MAC address, so the DHCP server sees the same client and hands out the same lease.
//! The old profile stops autoconnecting (inside the same checkpoint, so a roll-back brings
//! it back as it was).

use super::client::*;
use super::error::{from_dbus, NmError};
use super::settings::{self, NmSettings};
use crate::model::{BondConfig, Family, IpFamily};
use serde::Serialize;
use std::net::IpAddr;
use zbus::zvariant::OwnedObjectPath;

/// What a port's active profile holds, read from NM.
#[derive(Debug, Clone, Serialize)]
pub struct Adoption {
    pub port: String,
    /// The profile the port runs now.
    pub profile: String,
    #[serde(skip)]
    pub profile_path: OwnedObjectPath,
    pub ipv4: IpFamily,
    pub ipv6: IpFamily,
    /// Either family gets its address by DHCP (or IPv6 autoconf).
    pub dhcp: bool,
    /// The MAC the bond takes when `dhcp`: the port's own.
    pub mac: Option<String>,
    /// The gateway the connection uses now (from the profile, or the lease), to measure
    /// the outage against.
    pub gateway: Option<IpAddr>,
    /// The profile's `ipv4` and `ipv6` sections as NM holds them, copied whole.
    #[serde(skip)]
    raw: NmSettings,
}

impl Adoption {
    /// The bond configuration with the port's IP settings (and MAC, for DHCP): what the
    /// review and validation see. The rest of the raw sections (routes, search domains,
    /// DHCP options…) go into the profile as they are.
    pub fn apply_to(&self, cfg: &mut BondConfig) {
        cfg.ipv4 = self.ipv4.clone();
        cfg.ipv6 = self.ipv6.clone();
        if self.dhcp {
            cfg.mac = self.mac.clone();
        }
        if !cfg.ports.contains(&self.port) {
            cfg.ports.push(self.port.clone());
        }
    }

    /// Puts the port profile's IP sections, whole, into the bond's new profile.
    pub(crate) fn overlay(&self, bond: &mut NmSettings) {
        for section in ["ipv4", "ipv6"] {
            if let Some(v) = self.raw.get(section) {
                bond.insert(section.into(), v.clone());
            }
        }
        settings::prepare_for_update(bond);
    }
}

impl NmClient {
    /// What the bond would take over from `port`'s active profile. Fails with a sentence
    /// when the port runs no profile.
    pub async fn adoption(&self, port: &str) -> Result<Adoption> {
        let objects = self.managed_objects().await?;
        let (dev, ifaces) = objects
            .iter()
            .find(|(_, i)| {
                i.get("org.freedesktop.NetworkManager.Device")
                    .and_then(|d| prop::<String>(d, "Interface"))
                    .as_deref()
                    == Some(port)
            })
            .ok_or_else(|| {
                NmError::NotFound(format!(
                    "There is no network device {port}; check the name with bondctl devices."
                ))
            })?;
        let d = &ifaces["org.freedesktop.NetworkManager.Device"];
        let none = || {
            NmError::Invalid(format!(
                "{port} runs no connection, so there is nothing to take over; leave out the take-over, or bring {port}'s connection up first."
            ))
        };
        let ac = prop::<OwnedObjectPath>(d, "ActiveConnection")
            .filter(|p| p.as_str() != "/")
            .ok_or_else(none)?;
        let active = objects
            .get(&ac)
            .and_then(|i| i.get("org.freedesktop.NetworkManager.Connection.Active"))
            .ok_or_else(none)?;
        let profile_path = prop::<OwnedObjectPath>(active, "Connection").ok_or_else(none)?;
        let raw = self
            .connection_proxy(&profile_path)
            .await?
            .get_settings()
            .await
            .map_err(|e| from_dbus(e, &format!("read {port}'s connection")))?;
        let ipv4 = settings::read_family(&raw, Family::V4);
        let ipv6 = settings::read_family(&raw, Family::V6);
        let dhcp =
            ipv4.method.as_str() == "auto" || matches!(ipv6.method.as_str(), "auto" | "dhcp");
        // The lease's gateway, when the profile names none.
        let lease_gateway = prop::<OwnedObjectPath>(d, "Ip4Config")
            .and_then(|p| objects.get(&p))
            .and_then(|i| i.get("org.freedesktop.NetworkManager.IP4Config"))
            .and_then(|c| prop::<String>(c, "Gateway"))
            .and_then(|g| g.parse().ok());
        let wired = ifaces.get("org.freedesktop.NetworkManager.Device.Wired");
        let mac = wired
            .and_then(|w| prop::<String>(w, "PermHwAddress"))
            .filter(|m| !m.is_empty())
            .or_else(|| prop::<String>(d, "HwAddress"))
            .map(|m| m.to_ascii_lowercase());
        let _ = dev;
        Ok(Adoption {
            port: port.to_string(),
            profile: settings::get_str(&raw, "connection", "id").unwrap_or_default(),
            profile_path,
            gateway: ipv4.gateway.or(lease_gateway).or(ipv6.gateway),
            ipv4,
            ipv6,
            dhcp,
            mac,
            raw,
        })
    }
}
