//! The IP side of a bond, per family and without loss: every method NM knows (kept as NM
//! spells it), every address, the family's own gateway and DNS servers. What is not modelled
//! here (routes, rules, DNS search and options, DHCP settings) never leaves the profile's own
//! settings map, so it rides along untouched.

use super::message::{Code, Message};
use serde::{Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    V4,
    V6,
}

impl Family {
    /// The NM setting name: `ipv4` or `ipv6`.
    pub fn section(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
        }
    }

    pub fn of(addr: &IpAddr) -> Family {
        if addr.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }

    pub fn max_prefix(self) -> u8 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// `ipv4.method` / `ipv6.method`. Unknown spellings from newer NMs are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IpMethod {
    /// DHCP (IPv4) or SLAAC plus DHCPv6 (IPv6).
    Auto,
    /// DHCPv6 only (IPv6).
    Dhcp,
    Manual,
    LinkLocal,
    /// Share this connection with other computers (NAT and a DHCP server).
    Shared,
    Disabled,
    /// IPv6 only: NM leaves the kernel's IPv6 alone.
    Ignore,
    Other(String),
}

impl IpMethod {
    pub fn parse(s: &str) -> IpMethod {
        match s {
            "auto" => IpMethod::Auto,
            "dhcp" => IpMethod::Dhcp,
            "manual" => IpMethod::Manual,
            "link-local" => IpMethod::LinkLocal,
            "shared" => IpMethod::Shared,
            "disabled" => IpMethod::Disabled,
            "ignore" => IpMethod::Ignore,
            other => IpMethod::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            IpMethod::Auto => "auto",
            IpMethod::Dhcp => "dhcp",
            IpMethod::Manual => "manual",
            IpMethod::LinkLocal => "link-local",
            IpMethod::Shared => "shared",
            IpMethod::Disabled => "disabled",
            IpMethod::Ignore => "ignore",
            IpMethod::Other(s) => s,
        }
    }

    /// The methods NM takes for a family, in the order a form offers them.
    pub fn known(family: Family) -> &'static [&'static str] {
        match family {
            Family::V4 => &["auto", "manual", "link-local", "shared", "disabled"],
            Family::V6 => &[
                "auto",
                "dhcp",
                "manual",
                "link-local",
                "shared",
                "ignore",
                "disabled",
            ],
        }
    }

    /// Whether NM lets this method carry static addresses (NM's `verify()`: link-local,
    /// disabled and ignore take none).
    pub fn allows_addresses(&self) -> bool {
        !matches!(
            self,
            IpMethod::LinkLocal | IpMethod::Disabled | IpMethod::Ignore
        )
    }

    /// Whether the family is off, so a gateway or DNS server there means nothing.
    pub fn is_off(&self) -> bool {
        matches!(self, IpMethod::Disabled | IpMethod::Ignore)
    }
}

impl fmt::Display for IpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for IpMethod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An address with its prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpAddress {
    pub address: IpAddr,
    pub prefix: u8,
}

impl IpAddress {
    /// "ADDR/PREFIX" of `family`.
    pub fn parse(s: &str, family: Family) -> Result<IpAddress, Message> {
        let s = s.trim();
        let example = match family {
            Family::V4 => "192.168.10.20/24",
            Family::V6 => "fd00::20/64",
        };
        let bad = || Message::new(Code::NotAnAddressWithPrefix, [s, family.name(), example]);
        let (a, p) = s.split_once('/').ok_or_else(bad)?;
        let address: IpAddr = a.parse().map_err(|_| bad())?;
        let prefix: u8 = p.parse().map_err(|_| bad())?;
        if Family::of(&address) != family || prefix == 0 || prefix > family.max_prefix() {
            return Err(bad());
        }
        Ok(IpAddress { address, prefix })
    }

    /// A comma- or space-separated list of "ADDR/PREFIX".
    pub fn parse_list(s: &str, family: Family) -> Result<Vec<IpAddress>, Message> {
        split_list(s).map(|a| IpAddress::parse(a, family)).collect()
    }

    /// Whether `other` lies in this address's subnet.
    pub fn contains(&self, other: IpAddr) -> bool {
        let bits = |a: IpAddr| -> (u128, u32) {
            match a {
                IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
                IpAddr::V6(v) => (u128::from(v), 128),
            }
        };
        let ((a, width), (b, w2)) = (bits(self.address), bits(other));
        if width != w2 {
            return false;
        }
        let shift = width - u32::from(self.prefix);
        if shift >= 128 {
            return true;
        }
        a >> shift == b >> shift
    }
}

impl fmt::Display for IpAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

impl Serialize for IpAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Splits a user's list on commas and whitespace.
pub fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
}

/// An IP address of any family, as a user typed it.
pub fn parse_ip(s: &str) -> Result<IpAddr, Message> {
    s.trim()
        .parse()
        .map_err(|_| Message::new(Code::NotAnIpAddress, [s.trim()]))
}

/// A list of IP addresses (DNS servers), as a user typed it.
pub fn parse_ip_list(s: &str) -> Result<Vec<IpAddr>, Message> {
    split_list(s).map(parse_ip).collect()
}

/// One family's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpFamily {
    pub method: IpMethod,
    pub addresses: Vec<IpAddress>,
    pub gateway: Option<IpAddr>,
    pub dns: Vec<IpAddr>,
}

impl IpFamily {
    /// NM's default for a new profile: `auto`, nothing static.
    pub fn auto() -> IpFamily {
        IpFamily::with_method(IpMethod::Auto)
    }

    pub fn with_method(method: IpMethod) -> IpFamily {
        IpFamily {
            method,
            addresses: Vec::new(),
            gateway: None,
            dns: Vec::new(),
        }
    }

    /// Static addresses, method manual.
    pub fn manual(addresses: Vec<IpAddress>) -> IpFamily {
        IpFamily {
            addresses,
            ..IpFamily::with_method(IpMethod::Manual)
        }
    }

    /// One line for people: "manual 10.0.0.2/24, 10.0.0.3/24 via 10.0.0.1; DNS 10.0.0.53".
    pub fn summary(&self) -> String {
        let mut s = self.method.to_string();
        if !self.addresses.is_empty() {
            let a: Vec<String> = self.addresses.iter().map(|a| a.to_string()).collect();
            s.push(' ');
            s.push_str(&a.join(", "));
        }
        if let Some(g) = self.gateway {
            s.push_str(&format!(" via {g}"));
        }
        if !self.dns.is_empty() {
            let d: Vec<String> = self.dns.iter().map(|d| d.to_string()).collect();
            s.push_str(&format!("; DNS {}", d.join(", ")));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_round_trip_as_nm_spells_them() {
        for f in [Family::V4, Family::V6] {
            for m in IpMethod::known(f) {
                assert_eq!(IpMethod::parse(m).as_str(), *m);
                assert!(!matches!(IpMethod::parse(m), IpMethod::Other(_)));
            }
        }
        assert_eq!(IpMethod::parse("future-method").as_str(), "future-method");
    }

    #[test]
    fn parses_addresses_per_family() {
        let a = IpAddress::parse_list("10.0.0.2/24, 10.0.0.3/8", Family::V4).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].to_string(), "10.0.0.3/8");
        assert!(IpAddress::parse("fd00::1/64", Family::V4).is_err());
        assert!(IpAddress::parse("10.0.0.1/33", Family::V4).is_err());
        assert!(IpAddress::parse("10.0.0.1", Family::V4).is_err());
        assert_eq!(
            IpAddress::parse("10.0.0.300/24", Family::V4)
                .unwrap_err()
                .to_string(),
            "'10.0.0.300/24' is not an IPv4 address with its prefix; write it like 192.168.10.20/24."
        );
        assert!(IpAddress::parse("fd00::1/64", Family::V6).is_ok());
    }

    #[test]
    fn subnets() {
        let a = IpAddress::parse("192.168.10.20/24", Family::V4).unwrap();
        assert!(a.contains("192.168.10.1".parse().unwrap()));
        assert!(!a.contains("192.168.11.1".parse().unwrap()));
        assert!(!a.contains("fd00::1".parse().unwrap()));
        let b = IpAddress::parse("fd00::20/64", Family::V6).unwrap();
        assert!(b.contains("fd00::1".parse().unwrap()));
    }
}
