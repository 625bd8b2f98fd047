//! NM connection settings (`a{sa{sv}}`): built from a [`BondConfig`], read back into a
//! [`BondSettings`], and edited in place so that every key Bondsmith does not model (set by
//! nmcli, Cockpit, keyfiles) is sent back untouched.

use crate::model::{BondConfig, Ipv4Config, Ipv6Config, OptionMap};
use serde::Serialize;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use zbus::zvariant::{OwnedValue, Value};

/// One connection profile as NM sends and takes it.
pub type NmSettings = HashMap<String, HashMap<String, OwnedValue>>;

/// Any value that fits in a variant; settings hold no file descriptors, so this cannot fail.
pub fn ov<'a>(v: impl Into<Value<'a>>) -> OwnedValue {
    v.into()
        .try_to_owned()
        .expect("settings values hold no file descriptors")
}

pub fn get_str(s: &NmSettings, section: &str, key: &str) -> Option<String> {
    s.get(section)?
        .get(key)
        .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
}

fn get_i32(s: &NmSettings, section: &str, key: &str) -> Option<i32> {
    s.get(section)?
        .get(key)
        .and_then(|v| i32::try_from(v.try_clone().ok()?).ok())
}

fn get_u32(s: &NmSettings, section: &str, key: &str) -> Option<u32> {
    s.get(section)?
        .get(key)
        .and_then(|v| u32::try_from(v.try_clone().ok()?).ok())
}

pub fn get_options(s: &NmSettings) -> OptionMap {
    s.get("bond")
        .and_then(|b| b.get("options"))
        .and_then(|v| HashMap::<String, String>::try_from(v.try_clone().ok()?).ok())
        .map(|m| m.into_iter().collect())
        .unwrap_or_default()
}

fn set(s: &mut NmSettings, section: &str, key: &str, value: OwnedValue) {
    s.entry(section.to_string())
        .or_default()
        .insert(key.to_string(), value);
}

fn unset(s: &mut NmSettings, section: &str, key: &str) {
    if let Some(sec) = s.get_mut(section) {
        sec.remove(key);
    }
}

fn address_data(addr: IpAddr, prefix: u8) -> OwnedValue {
    let mut entry: HashMap<String, Value> = HashMap::new();
    entry.insert("address".into(), Value::from(addr.to_string()));
    entry.insert("prefix".into(), Value::from(u32::from(prefix)));
    ov(vec![entry])
}

/// A fresh bond profile. The old port names (`master`, `slave-type`, `autoconnect-slaves`)
/// are what NM 1.42 understands and what newer daemons still prefer.
pub fn bond_settings(cfg: &BondConfig, options: &OptionMap, uuid: &str) -> NmSettings {
    let mut s = NmSettings::new();
    set(&mut s, "connection", "id", ov(cfg.name.as_str()));
    set(&mut s, "connection", "uuid", ov(uuid));
    set(&mut s, "connection", "type", ov("bond"));
    set(
        &mut s,
        "connection",
        "interface-name",
        ov(cfg.name.as_str()),
    );
    set(&mut s, "connection", "autoconnect-slaves", ov(1i32));
    set_bond_options(&mut s, options);
    set_ip(&mut s, cfg);
    s
}

/// A port profile that puts `port` under the bond `master` (an interface name).
pub fn port_settings(id: &str, port: &str, master: &str, uuid: &str) -> NmSettings {
    let mut s = NmSettings::new();
    set(&mut s, "connection", "id", ov(id));
    set(&mut s, "connection", "uuid", ov(uuid));
    set(&mut s, "connection", "type", ov("802-3-ethernet"));
    set(&mut s, "connection", "interface-name", ov(port));
    set(&mut s, "connection", "master", ov(master));
    set(&mut s, "connection", "slave-type", ov("bond"));
    s.insert("802-3-ethernet".into(), HashMap::new());
    s
}

pub fn set_bond_options(s: &mut NmSettings, options: &OptionMap) {
    let m: HashMap<String, String> = options
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    set(s, "bond", "options", ov(m));
}

/// Writes the IP, MTU and MAC part of `cfg`, replacing only the keys it owns.
pub fn set_ip(s: &mut NmSettings, cfg: &BondConfig) {
    set(s, "ipv4", "method", ov(cfg.ipv4.method()));
    // NM prefers the new keys, but a stale legacy `addresses` list would still confuse readers.
    unset(s, "ipv4", "addresses");
    match &cfg.ipv4 {
        Ipv4Config::Manual { address, prefix } => set(
            s,
            "ipv4",
            "address-data",
            address_data((*address).into(), *prefix),
        ),
        _ => set(
            s,
            "ipv4",
            "address-data",
            ov(Vec::<HashMap<String, Value>>::new()),
        ),
    }
    set(s, "ipv6", "method", ov(cfg.ipv6.method()));
    unset(s, "ipv6", "addresses");
    match &cfg.ipv6 {
        Ipv6Config::Manual { address, prefix } => set(
            s,
            "ipv6",
            "address-data",
            address_data((*address).into(), *prefix),
        ),
        _ => set(
            s,
            "ipv6",
            "address-data",
            ov(Vec::<HashMap<String, Value>>::new()),
        ),
    }
    match cfg.gateway {
        Some(IpAddr::V4(g)) => {
            set(s, "ipv4", "gateway", ov(g.to_string()));
            unset(s, "ipv6", "gateway");
        }
        Some(IpAddr::V6(g)) => {
            set(s, "ipv6", "gateway", ov(g.to_string()));
            unset(s, "ipv4", "gateway");
        }
        None => {
            unset(s, "ipv4", "gateway");
            unset(s, "ipv6", "gateway");
        }
    }
    // ipv4.dns is a list of addresses in network byte order; ipv6.dns a list of byte arrays.
    let dns4: Vec<u32> = cfg
        .dns
        .iter()
        .filter_map(|d| match d {
            IpAddr::V4(a) => Some(u32::from_ne_bytes(a.octets())),
            _ => None,
        })
        .collect();
    let dns6: Vec<Vec<u8>> = cfg
        .dns
        .iter()
        .filter_map(|d| match d {
            IpAddr::V6(a) => Some(a.octets().to_vec()),
            _ => None,
        })
        .collect();
    set(s, "ipv4", "dns", ov(dns4));
    set(s, "ipv6", "dns", ov(dns6));
    match cfg.mtu {
        Some(m) => set(s, "802-3-ethernet", "mtu", ov(m)),
        None => unset(s, "802-3-ethernet", "mtu"),
    }
    match &cfg.mac {
        Some(m) => set(s, "802-3-ethernet", "assigned-mac-address", ov(m.as_str())),
        None => {
            unset(s, "802-3-ethernet", "assigned-mac-address");
            unset(s, "802-3-ethernet", "cloned-mac-address");
        }
    }
    if s.get("802-3-ethernet").is_some_and(HashMap::is_empty) {
        s.remove("802-3-ethernet");
    }
}

/// The part of a bond profile Bondsmith models, read from NM's settings.
#[derive(Debug, Clone, Serialize)]
pub struct BondSettings {
    pub id: String,
    pub uuid: String,
    pub interface: String,
    pub options: OptionMap,
    pub autoconnect_ports: i32,
    pub ipv4: Ipv4Config,
    pub ipv6: Ipv6Config,
    pub gateway: Option<IpAddr>,
    pub dns: Vec<IpAddr>,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
}

fn first_address(s: &NmSettings, section: &str) -> Option<(String, u8)> {
    let list = s.get(section)?.get("address-data")?;
    let list = Vec::<HashMap<String, OwnedValue>>::try_from(list.try_clone().ok()?).ok()?;
    let first = list.into_iter().next()?;
    let addr = String::try_from(first.get("address")?.try_clone().ok()?).ok()?;
    let prefix = u32::try_from(first.get("prefix")?.try_clone().ok()?).ok()?;
    Some((addr, prefix as u8))
}

pub fn read_bond(s: &NmSettings) -> BondSettings {
    let ipv4 = match get_str(s, "ipv4", "method").as_deref() {
        Some("manual") => first_address(s, "ipv4")
            .and_then(|(a, p)| {
                Some(Ipv4Config::Manual {
                    address: a.parse().ok()?,
                    prefix: p,
                })
            })
            .unwrap_or(Ipv4Config::Auto),
        Some("disabled") => Ipv4Config::Disabled,
        _ => Ipv4Config::Auto,
    };
    let ipv6 = match get_str(s, "ipv6", "method").as_deref() {
        Some("manual") => first_address(s, "ipv6")
            .and_then(|(a, p)| {
                Some(Ipv6Config::Manual {
                    address: a.parse().ok()?,
                    prefix: p,
                })
            })
            .unwrap_or(Ipv6Config::Auto),
        Some("disabled") | Some("ignore") => Ipv6Config::Disabled,
        _ => Ipv6Config::Auto,
    };
    let gateway = get_str(s, "ipv4", "gateway")
        .or_else(|| get_str(s, "ipv6", "gateway"))
        .and_then(|g| g.parse().ok());
    let mut dns: Vec<IpAddr> = Vec::new();
    if let Some(v) = s.get("ipv4").and_then(|x| x.get("dns")) {
        if let Ok(list) = Vec::<u32>::try_from(v.try_clone().expect("no fds")) {
            dns.extend(
                list.into_iter()
                    .map(|n| IpAddr::V4(Ipv4Addr::from(n.to_ne_bytes()))),
            );
        }
    }
    if let Some(v) = s.get("ipv6").and_then(|x| x.get("dns")) {
        if let Ok(list) = Vec::<Vec<u8>>::try_from(v.try_clone().expect("no fds")) {
            dns.extend(
                list.into_iter()
                    .filter_map(|b| <[u8; 16]>::try_from(b).ok())
                    .map(|b| IpAddr::V6(Ipv6Addr::from(b))),
            );
        }
    }
    BondSettings {
        id: get_str(s, "connection", "id").unwrap_or_default(),
        uuid: get_str(s, "connection", "uuid").unwrap_or_default(),
        interface: get_str(s, "connection", "interface-name").unwrap_or_default(),
        options: get_options(s),
        autoconnect_ports: get_i32(s, "connection", "autoconnect-slaves").unwrap_or(-1),
        ipv4,
        ipv6,
        gateway,
        dns,
        mtu: get_u32(s, "802-3-ethernet", "mtu").filter(|m| *m > 0),
        mac: get_str(s, "802-3-ethernet", "assigned-mac-address"),
    }
}

impl BondSettings {
    /// The profile as a [`BondConfig`] (ports filled in by the caller).
    pub fn to_config(&self, ports: Vec<String>) -> BondConfig {
        BondConfig {
            name: self.interface.clone(),
            options: self.options.clone(),
            ports,
            ipv4: self.ipv4.clone(),
            ipv6: self.ipv6.clone(),
            gateway: self.gateway,
            dns: self.dns.clone(),
            mtu: self.mtu,
            mac: self.mac.clone(),
        }
    }
}

/// GetSettings returns both the legacy address/route lists and their `-data` twins; sending
/// both back makes NM parse two sources for one thing, so keep only the newer form.
pub fn prepare_for_update(s: &mut NmSettings) {
    for section in ["ipv4", "ipv6"] {
        for (legacy, newer) in [("addresses", "address-data"), ("routes", "route-data")] {
            if s.get(section).is_some_and(|m| m.contains_key(newer)) {
                unset(s, section, legacy);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NmVersion;
    use zbus::zvariant::{serialized::Context, to_bytes, Type, LE};

    fn seed() -> BondConfig {
        let mut c = BondConfig::new("bond0", "802.3ad");
        c.options.insert("lacp_rate".into(), "fast".into());
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = Ipv4Config::parse("192.168.10.20/24").unwrap();
        c.gateway = Some("192.168.10.1".parse().unwrap());
        c.dns = vec!["192.168.10.1".parse().unwrap(), "fd00::53".parse().unwrap()];
        c.ipv6 = Ipv6Config::parse("fd00::20/64").unwrap();
        c.mtu = Some(9000);
        c.mac = Some("52:54:00:aa:bb:cc".into());
        c
    }

    #[test]
    fn serializes_as_a_sa_sv() {
        assert_eq!(NmSettings::SIGNATURE.to_string(), "a{sa{sv}}");
        let c = seed();
        let s = bond_settings(
            &c,
            &c.check(NmVersion::OLDEST).normalized,
            "4d1c6c4a-0000-4000-8000-000000000001",
        );
        let bytes = to_bytes(Context::new_dbus(LE, 0), &s).unwrap();
        let (back, _): (NmSettings, _) = bytes.deserialize().unwrap();
        let read = read_bond(&back);
        assert_eq!(read.interface, "bond0");
        assert_eq!(
            read.options.get("lacp_rate").map(String::as_str),
            Some("fast")
        );
        assert_eq!(read.autoconnect_ports, 1);
        assert_eq!(read.to_config(c.ports.clone()), c);
    }

    #[test]
    fn ports_use_the_old_names() {
        let s = port_settings("bond0-eno1", "eno1", "bond0", "u");
        assert_eq!(
            get_str(&s, "connection", "master").as_deref(),
            Some("bond0")
        );
        assert_eq!(
            get_str(&s, "connection", "slave-type").as_deref(),
            Some("bond")
        );
        assert!(get_str(&s, "connection", "controller").is_none());
        assert_eq!(
            get_str(&s, "connection", "type").as_deref(),
            Some("802-3-ethernet")
        );
    }

    #[test]
    fn editing_ip_keeps_unknown_keys() {
        let c = seed();
        let mut s = bond_settings(&c, &c.options, "u");
        set(&mut s, "ipv4", "dhcp-timeout", ov(42i32));
        set(&mut s, "802-3-ethernet", "wake-on-lan", ov(64u32));
        set(
            &mut s,
            "user",
            "data",
            ov(HashMap::from([(
                "org.example.note".to_string(),
                "keep me".to_string(),
            )])),
        );
        let mut c2 = c.clone();
        c2.ipv4 = Ipv4Config::Auto;
        c2.mac = None;
        c2.mtu = None;
        set_ip(&mut s, &c2);
        assert_eq!(get_i32(&s, "ipv4", "dhcp-timeout"), Some(42));
        assert_eq!(get_u32(&s, "802-3-ethernet", "wake-on-lan"), Some(64));
        assert!(s.contains_key("user"));
        assert_eq!(read_bond(&s).ipv4, Ipv4Config::Auto);
        assert_eq!(read_bond(&s).mac, None);
    }
}
