//! Text as people type it (bondctl's arguments, the GUI's entries) turned into the model,
//! with one sentence per mistake. Both front ends parse through here.

use super::ip::{parse_ip, Family, IpAddress, IpMethod};
use super::message::{Code, Message};
use std::net::IpAddr;

/// "dhcp"/"auto", "disabled"/"off", any method as NM spells it, or "ADDR/PREFIX[,...]"
/// (method manual with those addresses). `None` addresses: leave them as they are.
pub fn parse_ip_setting(s: &str, f: Family) -> Result<(IpMethod, Option<Vec<IpAddress>>), Message> {
    let t = s.trim();
    let method = match t {
        "dhcp" if f == Family::V4 => Some(IpMethod::Auto),
        "disabled" | "off" | "none" => Some(IpMethod::Disabled),
        other if IpMethod::known(f).contains(&other) => Some(IpMethod::parse(other)),
        _ => None,
    };
    match method {
        Some(m) => Ok((m, None)),
        None => Ok((IpMethod::Manual, Some(IpAddress::parse_list(t, f)?))),
    }
}

/// A number, or "auto"/empty for NM's default.
pub fn parse_mtu(s: &str) -> Result<Option<u32>, Message> {
    match s.trim() {
        "" | "auto" => Ok(None),
        m => m
            .parse()
            .map(Some)
            .map_err(|_| Message::new(Code::NotAnMtu, [m])),
    }
}

/// A MAC, one of NM's special values, or "none"/empty for no fixed MAC.
pub fn parse_mac(s: &str) -> Option<String> {
    match s.trim() {
        "" | "none" => None,
        m => Some(m.to_string()),
    }
}

/// A gateway, or "none"/empty for none.
pub fn parse_gateway(s: &str) -> Result<Option<IpAddr>, Message> {
    match s.trim() {
        "" | "none" => Ok(None),
        g => parse_ip(g).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_settings() {
        assert_eq!(
            parse_ip_setting("dhcp", Family::V4).unwrap().0,
            IpMethod::Auto
        );
        assert_eq!(
            parse_ip_setting("dhcp", Family::V6).unwrap().0,
            IpMethod::Dhcp
        );
        assert_eq!(
            parse_ip_setting("link-local", Family::V6).unwrap().0,
            IpMethod::LinkLocal
        );
        let (m, a) = parse_ip_setting("10.0.0.2/24, 10.0.0.3/24", Family::V4).unwrap();
        assert_eq!((m, a.unwrap().len()), (IpMethod::Manual, 2));
        assert!(parse_ip_setting("fd00::1/64", Family::V4).is_err());
        assert_eq!(parse_mtu("auto"), Ok(None));
        assert!(parse_mtu("big").is_err());
        assert_eq!(parse_mac("stable").as_deref(), Some("stable"));
        assert_eq!(parse_gateway("none"), Ok(None));
    }
}
