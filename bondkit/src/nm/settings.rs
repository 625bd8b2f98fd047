//! NM connection settings (`a{sa{sv}}`): built from a [`BondConfig`], read back into a
//! [`BondSettings`], and edited in place so that every key Bondsmith does not model (set by
//! nmcli, Cockpit, keyfiles) is sent back untouched.

use crate::model::edit::creation_changes;
use crate::model::{BondConfig, Change, Family, IpAddress, IpFamily, IpMethod, OptionMap};
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
    apply_changes(&mut s, &creation_changes(cfg, options));
    // An ethernet section from the start, even empty: NM can reapply an MTU change within
    // an existing setting, but not a setting that appears.
    s.entry("802-3-ethernet".into()).or_default();
    s
}

/// A port profile that puts `port` under the bond `master` (an interface name or a UUID).
pub fn port_settings(
    id: &str,
    port: &str,
    master: &str,
    uuid: &str,
    bond_port: Option<&crate::model::PortSettings>,
) -> NmSettings {
    let mut s = NmSettings::new();
    set(&mut s, "connection", "id", ov(id));
    set(&mut s, "connection", "uuid", ov(uuid));
    set(&mut s, "connection", "type", ov("802-3-ethernet"));
    set(&mut s, "connection", "interface-name", ov(port));
    set(&mut s, "connection", "master", ov(master));
    set(&mut s, "connection", "slave-type", ov("bond"));
    s.insert("802-3-ethernet".into(), HashMap::new());
    // As nmcli and NM's other clients make a bond port: with its (maybe empty) bond-port
    // setting, so a profile made here equals one made by the exported nmcli script.
    s.insert("bond-port".into(), HashMap::new());
    if let Some(b) = bond_port {
        write_bond_port(&mut s, b);
    }
    s
}

/// Sets the `bond-port` keys that `b` names, leaving the rest of the profile alone.
pub fn write_bond_port(s: &mut NmSettings, b: &crate::model::PortSettings) {
    if let Some(q) = b.queue_id {
        set(s, "bond-port", "queue-id", ov(q));
    }
    if let Some(p) = b.prio {
        set(s, "bond-port", "prio", ov(p));
    }
}

/// A port profile's `bond-port` settings.
pub fn read_bond_port(s: &NmSettings) -> crate::model::PortSettings {
    crate::model::PortSettings {
        queue_id: get_u32(s, "bond-port", "queue-id"),
        prio: get_i32(s, "bond-port", "prio"),
    }
}

pub fn set_bond_options(s: &mut NmSettings, options: &OptionMap) {
    let m: HashMap<String, String> = options
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    set(s, "bond", "options", ov(m));
}

type AddressEntry = HashMap<String, OwnedValue>;

fn address_entries(s: &NmSettings, section: &str) -> Vec<AddressEntry> {
    s.get(section)
        .and_then(|m| m.get("address-data"))
        .and_then(|v| Vec::<AddressEntry>::try_from(v.try_clone().ok()?).ok())
        .unwrap_or_default()
}

fn entry_address(e: &AddressEntry) -> Option<IpAddress> {
    let addr = String::try_from(e.get("address")?.try_clone().ok()?).ok()?;
    let prefix = u32::try_from(e.get("prefix")?.try_clone().ok()?).ok()?;
    Some(IpAddress {
        address: addr.parse().ok()?,
        prefix: u8::try_from(prefix).ok()?,
    })
}

/// `address-data` for `addresses`, keeping each existing entry (with any attributes another
/// tool gave it) for an address that stays.
fn write_addresses(s: &mut NmSettings, section: &str, addresses: &[IpAddress]) {
    let old = address_entries(s, section);
    let list: Vec<AddressEntry> = addresses
        .iter()
        .map(|a| {
            old.iter()
                .find(|e| entry_address(e) == Some(*a))
                .map(|e| {
                    e.iter()
                        .map(|(k, v)| (k.clone(), v.try_clone().expect("no fds")))
                        .collect()
                })
                .unwrap_or_else(|| {
                    HashMap::from([
                        ("address".to_string(), ov(a.address.to_string())),
                        ("prefix".to_string(), ov(u32::from(a.prefix))),
                    ])
                })
        })
        .collect();
    set(s, section, "address-data", ov(list));
    // The legacy twin would be a second source for the same thing.
    unset(s, section, "addresses");
}

fn write_dns(s: &mut NmSettings, f: Family, dns: &[IpAddr]) {
    let section = f.section();
    // NM ≥ 1.41.4 reads `dns-data` and ignores `dns` when both are there.
    let has_data = s.get(section).is_some_and(|m| m.contains_key("dns-data"));
    if has_data {
        let data: Vec<String> = dns.iter().map(|d| d.to_string()).collect();
        set(s, section, "dns-data", ov(data));
    }
    // ipv4.dns is a list of addresses in network byte order; ipv6.dns a list of byte arrays.
    match f {
        Family::V4 => {
            let v: Vec<u32> = dns
                .iter()
                .filter_map(|d| match d {
                    IpAddr::V4(a) => Some(u32::from_ne_bytes(a.octets())),
                    _ => None,
                })
                .collect();
            set(s, section, "dns", ov(v));
        }
        Family::V6 => {
            let v: Vec<Vec<u8>> = dns
                .iter()
                .filter_map(|d| match d {
                    IpAddr::V6(a) => Some(a.octets().to_vec()),
                    _ => None,
                })
                .collect();
            set(s, section, "dns", ov(v));
        }
    }
}

/// Writes exactly the keys `changes` name into `s`; every other key stays as it is.
pub fn apply_changes(s: &mut NmSettings, changes: &[Change]) {
    for c in changes {
        match c {
            Change::Options(o) => set_bond_options(s, o),
            Change::Method(f, m) => set(s, f.section(), "method", ov(m.as_str())),
            Change::Addresses(f, a) => write_addresses(s, f.section(), a),
            Change::Gateway(f, Some(g)) => set(s, f.section(), "gateway", ov(g.to_string())),
            Change::Gateway(f, None) => unset(s, f.section(), "gateway"),
            Change::Dns(f, d) => write_dns(s, *f, d),
            Change::Mtu(Some(m)) => set(s, "802-3-ethernet", "mtu", ov(*m)),
            Change::Mtu(None) => unset(s, "802-3-ethernet", "mtu"),
            Change::Mac(m) => {
                // `cloned-mac-address` (bytes) cannot hold the special values; its string
                // twin can, and a stale byte form beside it would be a second source.
                unset(s, "802-3-ethernet", "cloned-mac-address");
                match m {
                    Some(m) => set(s, "802-3-ethernet", "assigned-mac-address", ov(m.as_str())),
                    None => unset(s, "802-3-ethernet", "assigned-mac-address"),
                }
            }
        }
    }
    // An emptied section stays: removing a setting is a change NM cannot reapply.
}

/// The part of a bond profile Bondsmith models, read from NM's settings.
#[derive(Debug, Clone, Serialize)]
pub struct BondSettings {
    pub id: String,
    pub uuid: String,
    pub interface: String,
    pub options: OptionMap,
    pub autoconnect_ports: i32,
    pub ipv4: IpFamily,
    pub ipv6: IpFamily,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
}

fn read_dns(s: &NmSettings, f: Family) -> Vec<IpAddr> {
    let sec = s.get(f.section());
    if let Some(v) = sec.and_then(|x| x.get("dns-data")) {
        if let Ok(list) = Vec::<String>::try_from(v.try_clone().expect("no fds")) {
            // A DNS-over-TLS server is written "ADDR#NAME"; the name stays in the profile.
            return list
                .iter()
                .filter_map(|d| d.split('#').next()?.parse().ok())
                .collect();
        }
    }
    let Some(v) = sec.and_then(|x| x.get("dns")) else {
        return Vec::new();
    };
    match f {
        Family::V4 => Vec::<u32>::try_from(v.try_clone().expect("no fds"))
            .map(|l| {
                l.into_iter()
                    .map(|n| IpAddr::V4(Ipv4Addr::from(n.to_ne_bytes())))
                    .collect()
            })
            .unwrap_or_default(),
        Family::V6 => Vec::<Vec<u8>>::try_from(v.try_clone().expect("no fds"))
            .map(|l| {
                l.into_iter()
                    .filter_map(|b| <[u8; 16]>::try_from(b).ok())
                    .map(|b| IpAddr::V6(Ipv6Addr::from(b)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// One family, every part of it, as NM holds it.
pub fn read_family(s: &NmSettings, f: Family) -> IpFamily {
    let section = f.section();
    IpFamily {
        // NM fills in a method for every profile it returns; "auto" is its default.
        method: IpMethod::parse(&get_str(s, section, "method").unwrap_or_else(|| "auto".into())),
        addresses: address_entries(s, section)
            .iter()
            .filter_map(entry_address)
            .collect(),
        gateway: get_str(s, section, "gateway")
            .filter(|g| !g.is_empty())
            .and_then(|g| g.parse().ok()),
        dns: read_dns(s, f),
    }
}

pub fn read_bond(s: &NmSettings) -> BondSettings {
    BondSettings {
        id: get_str(s, "connection", "id").unwrap_or_default(),
        uuid: get_str(s, "connection", "uuid").unwrap_or_default(),
        interface: get_str(s, "connection", "interface-name").unwrap_or_default(),
        options: get_options(s),
        autoconnect_ports: get_i32(s, "connection", "autoconnect-slaves").unwrap_or(-1),
        ipv4: read_family(s, Family::V4),
        ipv6: read_family(s, Family::V6),
        mtu: get_u32(s, "802-3-ethernet", "mtu").filter(|m| *m > 0),
        mac: get_str(s, "802-3-ethernet", "assigned-mac-address").filter(|m| !m.is_empty()),
    }
}

impl BondSettings {
    /// The profile as a [`BondConfig`] (ports filled in by the caller).
    pub fn to_config(&self, ports: Vec<String>) -> BondConfig {
        BondConfig {
            name: self.interface.clone(),
            options: self.options.clone(),
            ports,
            port_settings: Default::default(),
            ipv4: self.ipv4.clone(),
            ipv6: self.ipv6.clone(),
            mtu: self.mtu,
            mac: self.mac.clone(),
        }
    }
}

/// GetSettings returns both the legacy address/route lists and their `-data` twins; sending
/// both back makes NM parse two sources for one thing, so keep only the newer form.
pub fn prepare_for_update(s: &mut NmSettings) {
    for section in ["ipv4", "ipv6"] {
        for (legacy, newer) in [
            ("addresses", "address-data"),
            ("routes", "route-data"),
            ("dns", "dns-data"),
        ] {
            if s.get(section).is_some_and(|m| m.contains_key(newer)) {
                unset(s, section, legacy);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::edit::profile_changes;
    use crate::model::{BondEdit, NmVersion};
    use zbus::zvariant::{serialized::Context, to_bytes, Type, LE};

    fn seed() -> BondConfig {
        let mut c = BondConfig::new("bond0", "802.3ad");
        c.options.insert("lacp_rate".into(), "fast".into());
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = IpFamily::manual(
            IpAddress::parse_list("192.168.10.20/24, 192.168.10.21/24", Family::V4).unwrap(),
        );
        c.ipv4.gateway = Some("192.168.10.1".parse().unwrap());
        c.ipv4.dns = vec!["192.168.10.1".parse().unwrap()];
        c.ipv6 = IpFamily::manual(IpAddress::parse_list("fd00::20/64", Family::V6).unwrap());
        c.ipv6.gateway = Some("fd00::1".parse().unwrap());
        c.ipv6.dns = vec!["fd00::53".parse().unwrap()];
        c.mtu = Some(9000);
        c.mac = Some("stable".into());
        c
    }

    fn round_trip(s: &NmSettings) -> NmSettings {
        let bytes = to_bytes(Context::new_dbus(LE, 0), s).unwrap();
        bytes.deserialize().unwrap().0
    }

    #[test]
    fn serializes_as_a_sa_sv_and_reads_back_whole() {
        assert_eq!(NmSettings::SIGNATURE.to_string(), "a{sa{sv}}");
        let c = seed();
        let s = bond_settings(
            &c,
            &c.check(NmVersion::OLDEST).normalized,
            "4d1c6c4a-0000-4000-8000-000000000001",
        );
        let read = read_bond(&round_trip(&s));
        assert_eq!(read.interface, "bond0");
        assert_eq!(
            read.options.get("lacp_rate").map(String::as_str),
            Some("fast")
        );
        assert_eq!(read.autoconnect_ports, 1);
        assert_eq!(read.to_config(c.ports.clone()), c);
    }

    #[test]
    fn bond_port_settings_round_trip() {
        let b = crate::model::PortSettings {
            queue_id: Some(3),
            prio: Some(-2),
        };
        let s = round_trip(&port_settings("bond0-eno1", "eno1", "bond0", "u", Some(&b)));
        assert_eq!(read_bond_port(&s), b);
        let plain = round_trip(&port_settings("bond0-eno1", "eno1", "bond0", "u", None));
        assert!(
            plain.get("bond-port").is_some_and(|s| s.is_empty()),
            "an empty bond-port section, as nmcli makes it"
        );
        assert!(read_bond_port(&plain).is_empty());
    }

    #[test]
    fn ports_use_the_old_names() {
        let s = port_settings("bond0-eno1", "eno1", "bond0", "u", None);
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
    fn an_edit_writes_only_the_keys_it_names() {
        let c = seed();
        let mut s = bond_settings(&c, &c.options, "u");
        set(&mut s, "ipv4", "dhcp-timeout", ov(42i32));
        set(
            &mut s,
            "ipv4",
            "dns-search",
            ov(vec!["example.org".to_string()]),
        );
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
        let before = round_trip(&s);
        let e = BondEdit {
            mtu: Some(Some(1500)),
            ..Default::default()
        };
        let after_cfg = e.apply_to(&c);
        let mut after = before.clone();
        apply_changes(&mut after, &profile_changes(&c, &after_cfg));
        // Every section and key but the MTU is exactly as before.
        for (sec, keys) in &before {
            for (k, v) in keys {
                if (sec.as_str(), k.as_str()) != ("802-3-ethernet", "mtu") {
                    assert_eq!(after[sec].get(k), Some(v), "{sec}.{k}");
                }
            }
        }
        assert_eq!(get_u32(&after, "802-3-ethernet", "mtu"), Some(1500));
        assert_eq!(read_bond(&after).to_config(c.ports.clone()), after_cfg);
    }

    #[test]
    fn address_attributes_survive_an_address_edit() {
        let c = seed();
        let mut s = bond_settings(&c, &c.options, "u");
        // A label that another tool put on the first address.
        let mut list = address_entries(&s, "ipv4");
        list[0].insert("label".into(), ov("bond0:web"));
        set(&mut s, "ipv4", "address-data", ov(list));
        let mut e = BondEdit::default();
        e.ipv4.add_addresses = IpAddress::parse_list("192.168.10.30/24", Family::V4).unwrap();
        let after_cfg = e.apply_to(&c);
        apply_changes(&mut s, &profile_changes(&c, &after_cfg));
        let list = address_entries(&round_trip(&s), "ipv4");
        assert_eq!(list.len(), 3);
        assert_eq!(
            list[0]
                .get("label")
                .and_then(|v| String::try_from(v.try_clone().ok()?).ok()),
            Some("bond0:web".to_string())
        );
    }
}
