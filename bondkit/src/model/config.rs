//! A whole bond as the user asks for it: name, options, ports and IP settings.

use super::validate::{check_options, ifname_valid, mac_valid, OptionMap, Problem, Verdict};
use super::version::NmVersion;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Ipv4Config {
    /// DHCP (NM's "auto").
    Auto,
    Manual {
        address: Ipv4Addr,
        prefix: u8,
    },
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Ipv6Config {
    /// SLAAC/DHCPv6 (NM's "auto").
    Auto,
    Manual {
        address: Ipv6Addr,
        prefix: u8,
    },
    Disabled,
}

impl Ipv4Config {
    /// "dhcp", "auto", "disabled" or "ADDR/PREFIX".
    pub fn parse(s: &str) -> Result<Ipv4Config, String> {
        match s.trim() {
            "dhcp" | "auto" => Ok(Ipv4Config::Auto),
            "disabled" | "off" | "none" => Ok(Ipv4Config::Disabled),
            other => {
                let (a, p) = split_prefix(other, 32).map_err(|_| {
                    format!("'{other}' is not an IPv4 setting; write dhcp, disabled or an address with its prefix such as 192.168.10.20/24.")
                })?;
                let address = a.parse::<Ipv4Addr>().map_err(|_| {
                    format!("'{a}' is not an IPv4 address; write it like 192.168.10.20/24.")
                })?;
                Ok(Ipv4Config::Manual { address, prefix: p })
            }
        }
    }

    pub fn method(&self) -> &'static str {
        match self {
            Ipv4Config::Auto => "auto",
            Ipv4Config::Manual { .. } => "manual",
            Ipv4Config::Disabled => "disabled",
        }
    }
}

impl Ipv6Config {
    /// "auto", "disabled" or "ADDR/PREFIX".
    pub fn parse(s: &str) -> Result<Ipv6Config, String> {
        match s.trim() {
            "auto" | "dhcp" => Ok(Ipv6Config::Auto),
            "disabled" | "off" | "none" => Ok(Ipv6Config::Disabled),
            other => {
                let (a, p) = split_prefix(other, 128).map_err(|_| {
                    format!("'{other}' is not an IPv6 setting; write auto, disabled or an address with its prefix such as fd00::20/64.")
                })?;
                let address = a.parse::<Ipv6Addr>().map_err(|_| {
                    format!("'{a}' is not an IPv6 address; write it like fd00::20/64.")
                })?;
                Ok(Ipv6Config::Manual { address, prefix: p })
            }
        }
    }

    pub fn method(&self) -> &'static str {
        match self {
            Ipv6Config::Auto => "auto",
            Ipv6Config::Manual { .. } => "manual",
            Ipv6Config::Disabled => "disabled",
        }
    }
}

fn split_prefix(s: &str, max: u8) -> Result<(&str, u8), ()> {
    let (a, p) = s.split_once('/').ok_or(())?;
    let p: u8 = p.parse().map_err(|_| ())?;
    if p == 0 || p > max {
        return Err(());
    }
    Ok((a, p))
}

/// Everything needed to create a bond profile and its port profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BondConfig {
    /// Interface name, also used as the profile name.
    pub name: String,
    /// `bond.options`, including `mode`.
    pub options: OptionMap,
    pub ports: Vec<String>,
    pub ipv4: Ipv4Config,
    pub ipv6: Ipv6Config,
    pub gateway: Option<IpAddr>,
    pub dns: Vec<IpAddr>,
    pub mtu: Option<u32>,
    pub mac: Option<String>,
}

impl BondConfig {
    /// A bond with NM's defaults (DHCP, IPv6 auto) and only a mode set.
    pub fn new(name: &str, mode: &str) -> BondConfig {
        BondConfig {
            name: name.to_string(),
            options: [("mode".to_string(), mode.to_string())].into(),
            ports: Vec::new(),
            ipv4: Ipv4Config::Auto,
            ipv6: Ipv6Config::Auto,
            gateway: None,
            dns: Vec::new(),
            mtu: None,
            mac: None,
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
        let mut err = |field: &str, msg: String| {
            v.errors.push(Problem {
                option: field.into(),
                message: msg,
            })
        };
        if !ifname_valid(&self.name) {
            err("name", format!("'{}' cannot be a bond name: use 1 to 15 characters without spaces, '/' or ':', for example bond0.", self.name));
        }
        if self.ports.is_empty() {
            err(
                "ports",
                "A bond needs at least one port: add one with --port, for example --port eno1."
                    .into(),
            );
        }
        for (i, p) in self.ports.iter().enumerate() {
            if !ifname_valid(p) {
                err("ports", format!("'{p}' is not an interface name; give the port's device name, for example eno1."));
            } else if *p == self.name {
                err(
                    "ports",
                    format!("The bond {p} cannot be its own port; pick an ethernet device."),
                );
            } else if self.ports[..i].contains(p) {
                err(
                    "ports",
                    format!("{p} is listed twice; give each port once."),
                );
            }
        }
        if let Some(gw) = self.gateway {
            match (gw, &self.ipv4, &self.ipv6) {
                (IpAddr::V4(_), Ipv4Config::Disabled, _) => err("gateway", "An IPv4 gateway needs IPv4 on the bond: set --ipv4 to an address or dhcp, or drop the gateway.".into()),
                (IpAddr::V6(_), _, Ipv6Config::Disabled) => err("gateway", "An IPv6 gateway needs IPv6 on the bond: set --ipv6 to an address or auto, or drop the gateway.".into()),
                (IpAddr::V4(g), Ipv4Config::Manual { address, prefix }, _) if !same_subnet4(g, *address, *prefix) => {
                    v_warn(&mut v.warnings, format!("The gateway {g} is outside {address}/{prefix}; check the address or the prefix."));
                }
                _ => {}
            }
        }
        let mut err = |field: &str, msg: String| {
            v.errors.push(Problem {
                option: field.into(),
                message: msg,
            })
        };
        for d in &self.dns {
            match (d, &self.ipv4, &self.ipv6) {
                (IpAddr::V4(_), Ipv4Config::Disabled, _) => err("dns", format!("The DNS server {d} is IPv4 but IPv4 is disabled on the bond; enable IPv4 or give an IPv6 server.")),
                (IpAddr::V6(_), _, Ipv6Config::Disabled) => err("dns", format!("The DNS server {d} is IPv6 but IPv6 is disabled on the bond; enable IPv6 or give an IPv4 server.")),
                _ => {}
            }
        }
        if let Some(mtu) = self.mtu {
            if !(68..=65535).contains(&mtu) {
                err("mtu", format!("An MTU of {mtu} is out of range; use 68 to 65535 (1500 is standard, 9000 for jumbo frames)."));
            }
        }
        if let Some(mac) = &self.mac {
            if !mac_valid(mac) {
                err(
                    "mac",
                    format!("'{mac}' is not a MAC address; write it like 52:54:00:12:34:56."),
                );
            } else if u8::from_str_radix(mac.split([':', '-']).next().unwrap_or("0"), 16)
                .unwrap_or(0)
                & 1
                == 1
            {
                err("mac", format!("{mac} is a multicast address and cannot name an interface; clear the lowest bit of the first byte (for example 02:...)."));
            }
        }
        if let Some(primary) = v
            .normalized
            .get("primary")
            .or_else(|| v.normalized.get("active_slave"))
        {
            if !self.ports.contains(primary) {
                let msg = format!("The primary port {primary} is not one of the bond's ports ({}); add it or pick another primary.", self.ports.join(", "));
                v.warnings.push(Problem {
                    option: "primary".into(),
                    message: msg,
                });
            }
        }
        v
    }
}

fn v_warn(w: &mut Vec<Problem>, message: String) {
    w.push(Problem {
        option: "gateway".into(),
        message,
    });
}

fn same_subnet4(a: Ipv4Addr, b: Ipv4Addr, prefix: u8) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    };
    u32::from(a) & mask == u32::from(b) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> BondConfig {
        let mut c = BondConfig::new("bond0", "active-backup");
        c.options.insert("miimon".into(), "100".into());
        c.ports = vec!["eno1".into(), "eno2".into()];
        c.ipv4 = Ipv4Config::parse("192.168.10.20/24").unwrap();
        c.gateway = Some("192.168.10.1".parse().unwrap());
        c.dns = vec!["192.168.10.1".parse().unwrap()];
        c
    }

    #[test]
    fn the_seed_bond_is_valid() {
        let v = seed().check(NmVersion::OLDEST);
        assert!(v.is_valid(), "{:?}", v.errors);
        assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    }

    #[test]
    fn parses_ip_settings() {
        assert_eq!(Ipv4Config::parse("dhcp"), Ok(Ipv4Config::Auto));
        assert_eq!(Ipv4Config::parse("disabled"), Ok(Ipv4Config::Disabled));
        assert_eq!(Ipv6Config::parse("fd00::20/64").unwrap().method(), "manual");
        assert_eq!(Ipv4Config::parse("10.0.0.1/33").unwrap_err(),
            "'10.0.0.1/33' is not an IPv4 setting; write dhcp, disabled or an address with its prefix such as 192.168.10.20/24.");
        assert_eq!(
            Ipv4Config::parse("10.0.0.300/24").unwrap_err(),
            "'10.0.0.300' is not an IPv4 address; write it like 192.168.10.20/24."
        );
        assert!(Ipv4Config::parse("10.0.0.1").is_err());
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
        c.ipv4 = Ipv4Config::Disabled;
        assert_eq!(field(&c).as_deref(), Some("gateway"));
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
        c.gateway = Some("10.1.1.1".parse().unwrap());
        assert!(c.check(NmVersion::OLDEST).warnings[0]
            .message
            .contains("outside"));
    }
}
