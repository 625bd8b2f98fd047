//! A whole bond as the user asks for it: name, options, ports and IP settings.

use super::ip::{Family, IpFamily, IpMethod};
use super::message::{Code, Message};
use super::port::PortSettings;
use super::validate::{check_options, ifname_valid, mac_valid, OptionMap, Problem, Verdict};
use super::version::NmVersion;
use serde::Serialize;
use std::collections::BTreeMap;

/// NetworkManager's special values for `cloned-mac-address`: kept and shown as such.
pub const SPECIAL_MACS: &[&str] = &["preserve", "permanent", "random", "stable", "stable-ssid"];

/// Everything needed to create a bond profile and its port profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BondConfig {
    /// Interface name, also used as the profile name.
    pub name: String,
    /// `bond.options`, including `mode`, as NM holds them.
    pub options: OptionMap,
    pub ports: Vec<String>,
    /// Each port's `bond-port` settings, where it has any.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub port_settings: BTreeMap<String, PortSettings>,
    pub ipv4: IpFamily,
    pub ipv6: IpFamily,
    pub mtu: Option<u32>,
    /// `cloned-mac-address`: a MAC or one of [`SPECIAL_MACS`].
    pub mac: Option<String>,
}

impl BondConfig {
    /// A bond with NM's defaults (DHCP, IPv6 auto) and only a mode set.
    pub fn new(name: &str, mode: &str) -> BondConfig {
        BondConfig {
            name: name.to_string(),
            options: [("mode".to_string(), mode.to_string())].into(),
            ports: Vec::new(),
            port_settings: BTreeMap::new(),
            ipv4: IpFamily::auto(),
            ipv6: IpFamily::auto(),
            mtu: None,
            mac: None,
        }
    }

    pub fn family(&self, f: Family) -> &IpFamily {
        match f {
            Family::V4 => &self.ipv4,
            Family::V6 => &self.ipv6,
        }
    }

    pub fn family_mut(&mut self, f: Family) -> &mut IpFamily {
        match f {
            Family::V4 => &mut self.ipv4,
            Family::V6 => &mut self.ipv6,
        }
    }

    /// The profile name of a port (the seed's naming: bond0-eno1).
    pub fn port_profile_name(&self, port: &str) -> String {
        format!("{}-{}", self.name, port)
    }

    /// Every problem with the whole configuration, options included. `errors` empty means
    /// NM will take it; `normalized` is then what is sent.
    pub fn check(&self, version: NmVersion) -> Verdict {
        let mut v = check_options(&self.options, version);
        let mut errors: Vec<Problem> = Vec::new();
        let mut warnings: Vec<Problem> = Vec::new();
        let mut err = |field: &str, m: Message| errors.push(Problem::coded(field, m));
        if !ifname_valid(&self.name) {
            err("name", Message::new(Code::BadBondName, [&self.name]));
        }
        if self.ports.is_empty() {
            err("ports", Message::new(Code::NeedsAPort, [""; 0]));
        }
        for (i, p) in self.ports.iter().enumerate() {
            if !ifname_valid(p) {
                err("ports", Message::new(Code::BadPortName, [p]));
            } else if *p == self.name {
                err("ports", Message::new(Code::PortIsTheBond, [p]));
            } else if self.ports[..i].contains(p) {
                err("ports", Message::new(Code::PortTwice, [p]));
            }
        }
        let mode = self
            .options
            .get("mode")
            .and_then(|m| super::mode::BondMode::parse(m));
        for (port, s) in &self.port_settings {
            if !self.ports.contains(port) {
                errors.push(Problem::coded(
                    "ports",
                    Message::new(Code::PortSettingsNotAPort, [port]),
                ));
            }
            s.check(port, mode, version, &mut errors, &mut warnings);
        }
        for f in [Family::V4, Family::V6] {
            check_family(f, self.family(f), &mut errors, &mut warnings);
        }
        let mut err = |field: &str, m: Message| errors.push(Problem::coded(field, m));
        if let Some(mtu) = self.mtu {
            if !(68..=65535).contains(&mtu) {
                err("mtu", Message::new(Code::MtuOutOfRange, [mtu.to_string()]));
            }
        }
        if let Some(mac) = &self.mac {
            if SPECIAL_MACS.contains(&mac.as_str()) {
                // NM's own values: the bond's MAC is picked at activation.
            } else if !mac_valid(mac) {
                err("mac", Message::new(Code::NotAMac, [mac]));
            } else if u8::from_str_radix(mac.split([':', '-']).next().unwrap_or("0"), 16)
                .unwrap_or(0)
                & 1
                == 1
            {
                err("mac", Message::new(Code::MulticastMac, [mac]));
            }
        }
        if let Some(primary) = v
            .normalized
            .get("primary")
            .or_else(|| v.normalized.get("active_slave"))
        {
            if !self.ports.contains(primary) {
                warnings.push(Problem::coded(
                    "primary",
                    Message::new(
                        Code::PrimaryNotAPort,
                        [primary.clone(), self.ports.join(", ")],
                    ),
                ));
            }
        }
        v.errors.extend(errors);
        v.warnings.extend(warnings);
        v
    }
}

/// The form field a family's part is shown in: `ipv4_addresses`, `ipv6_gateway`, ...
pub fn family_field(f: Family, part: &str) -> String {
    format!("{}_{part}", f.section())
}

/// NM's `verify()` for one family (nm-setting-ip{4,6}-config.c), as sentences with a fix.
fn check_family(f: Family, c: &IpFamily, errors: &mut Vec<Problem>, warnings: &mut Vec<Problem>) {
    let field = |part: &str| family_field(f, part);
    let mut err = |part: &str, m: Message| errors.push(Problem::coded(&field(part), m));
    let list = |v: &[String]| v.join(", ");
    for a in &c.addresses {
        if Family::of(&a.address) != f {
            err(
                "addresses",
                Message::new(Code::AddressWrongFamily, [a.to_string(), f.name().into()]),
            );
        }
    }
    if c.method == IpMethod::Manual && c.addresses.is_empty() {
        err(
            "addresses",
            Message::new(Code::ManualNeedsAddress, [f.name()]),
        );
    }
    if !c.method.allows_addresses() && !c.addresses.is_empty() {
        let a: Vec<String> = c.addresses.iter().map(|a| a.to_string()).collect();
        err(
            "addresses",
            Message::new(
                Code::MethodTakesNoAddresses,
                [f.name().to_string(), c.method.to_string(), list(&a)],
            ),
        );
    }
    if let Some(g) = c.gateway {
        if Family::of(&g) != f {
            err(
                "gateway",
                Message::new(Code::GatewayWrongFamily, [g.to_string(), f.name().into()]),
            );
        } else if c.method.is_off() {
            err(
                "gateway",
                Message::new(
                    Code::GatewayNeedsFamily,
                    [g.to_string(), f.name().into(), c.method.to_string()],
                ),
            );
        } else if c.addresses.is_empty() {
            // NM: "gateway cannot be set if there are no addresses configured".
            err(
                "gateway",
                Message::new(Code::GatewayNeedsAddress, [g.to_string(), f.name().into()]),
            );
        } else if !c.addresses.iter().any(|a| a.contains(g)) {
            let a: Vec<String> = c.addresses.iter().map(|a| a.to_string()).collect();
            warnings.push(Problem::coded(
                &field("gateway"),
                Message::new(
                    Code::GatewayOutsideSubnet,
                    [g.to_string(), f.name().into(), list(&a)],
                ),
            ));
        }
    }
    // IPv4 link-local, shared and disabled, IPv6 ignore, link-local and disabled take no DNS.
    let no_dns = match f {
        Family::V4 => matches!(
            c.method,
            IpMethod::LinkLocal | IpMethod::Shared | IpMethod::Disabled
        ),
        Family::V6 => matches!(
            c.method,
            IpMethod::LinkLocal | IpMethod::Ignore | IpMethod::Disabled
        ),
    };
    for d in &c.dns {
        if Family::of(d) != f {
            err(
                "dns",
                Message::new(Code::DnsWrongFamily, [d.to_string(), f.name().into()]),
            );
        } else if no_dns {
            err(
                "dns",
                Message::new(
                    Code::DnsNeedsFamily,
                    [d.to_string(), f.name().into(), c.method.to_string()],
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ip::IpAddress;

    fn seed() -> BondConfig {
        let mut c = BondConfig::new("bond0", "active-backup");
        c.options.insert("miimon".into(), "100".into());
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = IpFamily::manual(IpAddress::parse_list("192.168.10.20/24", Family::V4).unwrap());
        c.ipv4.gateway = Some("192.168.10.1".parse().unwrap());
        c.ipv4.dns = vec!["192.168.10.1".parse().unwrap()];
        c
    }

    #[test]
    fn the_seed_bond_is_valid() {
        let v = seed().check(NmVersion::OLDEST);
        assert!(v.is_valid(), "{:?}", v.errors);
        assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    }

    #[test]
    fn special_macs_are_values() {
        for m in SPECIAL_MACS {
            let mut c = seed();
            c.mac = Some(m.to_string());
            assert!(c.check(NmVersion::OLDEST).is_valid(), "{m}");
        }
        let mut c = seed();
        c.mac = Some("stabel".into());
        assert_eq!(c.check(NmVersion::OLDEST).errors[0].option, "mac");
    }

    #[test]
    fn catches_whole_config_problems() {
        let field = |c: &BondConfig| {
            c.check(NmVersion::OLDEST)
                .errors
                .first()
                .map(|p| p.option.clone())
        };
        let mut c = seed();
        c.name = "my bond".into();
        assert_eq!(field(&c).as_deref(), Some("name"));
        let mut c = seed();
        c.ports.push("eno1".into());
        assert_eq!(field(&c).as_deref(), Some("ports"));
        let mut c = seed();
        c.ports.clear();
        assert_eq!(field(&c).as_deref(), Some("ports"));
        let mut c = seed();
        c.ipv4.method = IpMethod::Disabled;
        assert_eq!(field(&c).as_deref(), Some("ipv4_addresses"));
        c.ipv4.addresses.clear();
        assert_eq!(field(&c).as_deref(), Some("ipv4_gateway"));
        let mut c = seed();
        c.ipv4.addresses.clear();
        assert_eq!(field(&c).as_deref(), Some("ipv4_addresses"));
        c.ipv4.method = IpMethod::Auto;
        // NM: a gateway needs an address, even beside DHCP.
        assert_eq!(field(&c).as_deref(), Some("ipv4_gateway"));
        let mut c = seed();
        c.ipv6.dns = vec!["10.0.0.53".parse().unwrap()];
        assert_eq!(field(&c).as_deref(), Some("ipv6_dns"));
        let mut c = seed();
        c.mtu = Some(20);
        assert_eq!(field(&c).as_deref(), Some("mtu"));
        let mut c = seed();
        c.mac = Some("01:00:5e:00:00:01".into());
        assert_eq!(field(&c).as_deref(), Some("mac"));
        let mut c = seed();
        c.options.insert("primary".into(), "eno3".into());
        let v = c.check(NmVersion::OLDEST);
        assert!(v.is_valid() && v.warnings[0].option == "primary");
        let mut c = seed();
        c.ipv4.gateway = Some("10.1.1.1".parse().unwrap());
        assert!(c.check(NmVersion::OLDEST).warnings[0]
            .message
            .contains("outside"));
        // DHCP beside a static extra address, with a gateway in its subnet: fine.
        let mut c = seed();
        c.ipv4.method = IpMethod::Auto;
        assert!(c.check(NmVersion::OLDEST).is_valid());
    }
}
