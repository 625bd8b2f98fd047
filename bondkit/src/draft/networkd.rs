//! systemd-networkd drafts: `.netdev` (`[NetDev]` Kind=bond, `[Bond]`) and `.network` files
//! (`Bond=` on the ports, the bond's own IP settings), in one text or several. `[Bond]` keys
//! come from the option table; other sections are checked against the keys systemd 252–256
//! documents.

use super::ini::{items, Item};
use super::{severity_of, unknown_key, unknown_section, DraftFormat, Report, Severity, Source};
use crate::model::option_formats::{networkd_keys, NetworkdKey, NetworkdValue};
use crate::model::{spec, Code, Family, IpAddress, IpFamily, IpMethod, Message};

const SECTIONS: &[&str] = &[
    "NetDev",
    "Bond",
    "Match",
    "Network",
    "Link",
    "Address",
    "Route",
    "DHCP",
    "DHCPv4",
    "DHCPv6",
    "DHCPPrefixDelegation",
    "IPv6AcceptRA",
    "DHCPServer",
    "DHCPServerStaticLease",
    "IPv6SendRA",
    "IPv6Prefix",
    "IPv6RoutePrefix",
    "RoutingPolicyRule",
    "NextHop",
    "Neighbor",
    "IPv6AddressLabel",
    "BridgeVLAN",
    "BridgeFDB",
    "BridgeMDB",
    "LLDP",
    "CAN",
    "QDisc",
    "SR-IOV",
    "Bridge",
    "VLAN",
    "MACVLAN",
    "IPVLAN",
    "VXLAN",
    "Tunnel",
    "Peer",
    "Tun",
    "Tap",
    "WireGuard",
    "WireGuardPeer",
    "VRF",
    "MACsec",
    "Xfrm",
    "BridgeVLANTunnel",
];
const NETDEV: &[&str] = &["Description", "Name", "Kind", "MTUBytes", "MACAddress"];
const MATCH: &[&str] = &[
    "MACAddress",
    "PermanentMACAddress",
    "Path",
    "Driver",
    "Type",
    "Kind",
    "Property",
    "Name",
    "WLANInterfaceType",
    "SSID",
    "BSSID",
    "Host",
    "Virtualization",
    "KernelCommandLine",
    "KernelVersion",
    "Credential",
    "Architecture",
    "Firmware",
];
const LINK: &[&str] = &[
    "MACAddress",
    "MTUBytes",
    "ARP",
    "Multicast",
    "AllMulticast",
    "Promiscuous",
    "Unmanaged",
    "Group",
    "RequiredForOnline",
    "RequiredFamilyForOnline",
    "ActivationPolicy",
];
const NETWORK: &[&str] = &[
    "Description",
    "DHCP",
    "DHCPServer",
    "LinkLocalAddressing",
    "IPv6LinkLocalAddressGenerationMode",
    "IPv6StableSecretAddress",
    "IPv4LLStartAddress",
    "IPv4LLRoute",
    "DefaultRouteOnDevice",
    "LLMNR",
    "MulticastDNS",
    "DNSOverTLS",
    "DNSSEC",
    "DNSSECNegativeTrustAnchors",
    "LLDP",
    "EmitLLDP",
    "BindCarrier",
    "Address",
    "Gateway",
    "DNS",
    "Domains",
    "DNSDefaultRoute",
    "NTP",
    "IPForward",
    "IPMasquerade",
    "IPv6PrivacyExtensions",
    "IPv6AcceptRA",
    "IPv6DuplicateAddressDetection",
    "IPv6HopLimit",
    "IPv4AcceptLocal",
    "IPv4RouteLocalnet",
    "IPv4ReversePathFilter",
    "IPv4ProxyARP",
    "IPv6ProxyNDP",
    "IPv6ProxyNDPAddress",
    "IPv6SendRA",
    "DHCPPrefixDelegation",
    "IPv6MTUBytes",
    "Bridge",
    "Bond",
    "VRF",
    "VLAN",
    "IPVLAN",
    "IPVTAP",
    "MACVLAN",
    "MACVTAP",
    "VXLAN",
    "Tunnel",
    "MACsec",
    "Xfrm",
    "ActiveSlave",
    "PrimarySlave",
    "ConfigureWithoutCarrier",
    "IgnoreCarrierLoss",
    "KeepConfiguration",
    "IPv4Forwarding",
    "IPv6Forwarding",
    "L2TP",
    "BatmanAdvanced",
    "IPoIB",
];

/// One `.netdev` or `.network` worth of lines.
#[derive(Default)]
struct Unit {
    /// (section, line, key, value)
    pairs: Vec<(String, usize, String, String)>,
    sections: Vec<String>,
}

impl Unit {
    fn get(&self, section: &str, key: &str) -> Option<(usize, &str)> {
        self.pairs
            .iter()
            .rev()
            .find(|(s, _, k, _)| s == section && k == key)
            .map(|(_, l, _, v)| (*l, v.as_str()))
    }

    fn all(&self, section: &str, key: &str) -> Vec<(usize, &str)> {
        self.pairs
            .iter()
            .filter(|(s, _, k, _)| s == section && k == key)
            .map(|(_, l, _, v)| (*l, v.as_str()))
            .collect()
    }
}

fn units(src: &Source, r: &mut Report) -> Vec<Unit> {
    let mut out: Vec<Unit> = vec![Unit::default()];
    let mut section: Option<String> = None;
    for (line, item) in items(&src.text) {
        match item {
            Item::Section(s) => {
                let cur = out.last().expect("one unit");
                let new_unit = match s.as_str() {
                    "Match" => !cur.sections.is_empty(),
                    "NetDev" => cur.sections.iter().any(|x| x != "Match"),
                    _ => false,
                };
                if new_unit {
                    out.push(Unit::default());
                }
                if !SECTIONS.contains(&s.as_str()) {
                    let m = unknown_section(&s, "systemd-networkd", SECTIONS.iter().copied());
                    let sev = severity_of(&m);
                    r.say(&src.name, line, sev, m);
                }
                out.last_mut().expect("one unit").sections.push(s.clone());
                section = Some(s);
            }
            Item::Pair { key, value } => match &section {
                Some(s) => {
                    out.last_mut()
                        .expect("one unit")
                        .pairs
                        .push((s.clone(), line, key, value))
                }
                None => r.say(
                    &src.name,
                    line,
                    Severity::Error,
                    Message::new(Code::DraftKeyOutsideSection, [key]),
                ),
            },
            Item::Bad => r.say(
                &src.name,
                line,
                Severity::Error,
                Message::new(Code::DraftBadLine, [""; 0]),
            ),
        }
    }
    out
}

/// A systemd time span in milliseconds; a bare number is seconds. `None` if it is not one.
pub fn span_ms(v: &str) -> Option<u64> {
    let v = v.trim();
    if v == "infinity" {
        return None;
    }
    let mut total: f64 = 0.0;
    let mut rest = v;
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = rest[num_end..].trim_start();
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_end] {
            "" | "s" | "sec" | "second" | "seconds" => 1000.0,
            "ms" | "msec" => 1.0,
            "us" | "usec" | "µs" => 0.001,
            "m" | "min" | "minute" | "minutes" => 60_000.0,
            "h" | "hr" | "hour" | "hours" => 3_600_000.0,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += n * factor;
        any = true;
    }
    (any && total.is_finite() && total < 1e15).then_some(total as u64)
}

fn bool_value(v: &str) -> Option<&'static str> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" | "y" | "t" => Some("1"),
        "no" | "false" | "off" | "0" | "n" | "f" => Some("0"),
        _ => None,
    }
}

/// One `[Bond]` line into the draft, in NM's terms.
fn bond_key(src: &Source, line: usize, key: &str, value: &str, r: &mut Report) {
    let Some((nm, k)) =
        networkd_keys().find(|(_, k)| k.key == key && k.value != NetworkdValue::PortFlag)
    else {
        let m = unknown_key(
            key,
            "systemd-networkd [Bond]",
            networkd_keys().map(|(_, k)| k.key),
        );
        r.say(&src.name, line, Severity::Error, m);
        return;
    };
    let say = |r: &mut Report, sev, m| r.say(&src.name, line, sev, m);
    let nm_value = match k.value {
        NetworkdValue::Millis => match span_ms(value) {
            Some(ms) => {
                if value.trim().bytes().all(|b| b.is_ascii_digit()) && ms > 0 {
                    say(
                        r,
                        Severity::Warning,
                        Message::new(Code::DraftBareSeconds, [key, value.trim()]),
                    );
                }
                ms.to_string()
            }
            None => {
                return say(
                    r,
                    Severity::Error,
                    Message::new(Code::DraftBadTime, [key, value]),
                )
            }
        },
        NetworkdValue::Seconds => match span_ms(value) {
            Some(ms) => (ms / 1000).to_string(),
            None => {
                return say(
                    r,
                    Severity::Error,
                    Message::new(Code::DraftBadTime, [key, value]),
                )
            }
        },
        NetworkdValue::Bool => match bool_value(value) {
            Some(b) => b.to_string(),
            None => {
                return say(
                    r,
                    Severity::Error,
                    Message::new(Code::DraftBadBool, [key, value]),
                )
            }
        },
        NetworkdValue::SpaceList => value.split_whitespace().collect::<Vec<_>>().join(","),
        NetworkdValue::Plain | NetworkdValue::PortFlag => {
            let allowed: &[&str] = k
                .choices
                .or_else(|| spec(nm).map(|s| s.choices()))
                .unwrap_or(&[]);
            if !allowed.is_empty() && !allowed.contains(&value) {
                return say(
                    r,
                    Severity::Error,
                    Message::new(Code::DraftBadValue, [key, value, &allowed.join(", ")]),
                );
            }
            value.to_string()
        }
    };
    if newer(&k) {
        say(
            r,
            Severity::Warning,
            Message::new(
                Code::DraftNewerSystemd,
                [key.to_string(), k.since.to_string()],
            ),
        );
    }
    r.draft.set_option(nm, &nm_value, key, &src.name, line);
}

fn newer(k: &NetworkdKey) -> bool {
    k.since > crate::model::option_formats::SYSTEMD_BASELINE
}

fn check_keys(src: &Source, unit: &Unit, r: &mut Report) {
    for (section, line, key, _) in &unit.pairs {
        let known: &[&str] = match section.as_str() {
            "NetDev" => NETDEV,
            "Match" => MATCH,
            "Link" => LINK,
            "Network" => NETWORK,
            _ => continue,
        };
        if !known.contains(&key.as_str()) {
            let m = unknown_key(
                key,
                &format!("systemd-networkd [{section}]"),
                known.iter().copied(),
            );
            let sev = severity_of(&m);
            r.say(&src.name, *line, sev, m);
        }
    }
}

/// The bond's IP settings from its `[Network]` section.
fn bond_network(src: &Source, unit: &Unit, r: &mut Report) {
    let dhcp = unit
        .get("Network", "DHCP")
        .map(|(_, v)| v.to_ascii_lowercase());
    let dhcp4 = matches!(dhcp.as_deref(), Some("yes" | "true" | "ipv4"));
    let dhcp6 = matches!(dhcp.as_deref(), Some("yes" | "true" | "ipv6"));
    let lla = unit
        .get("Network", "LinkLocalAddressing")
        .map(|(_, v)| v.to_ascii_lowercase());
    let ra = unit
        .get("Network", "IPv6AcceptRA")
        .map(|(_, v)| bool_value(v) == Some("1"));
    let mut v4 = IpFamily::with_method(IpMethod::Disabled);
    let mut v6 = IpFamily::with_method(IpMethod::Disabled);
    let here = unit
        .get("Network", "Address")
        .or(unit.get("Network", "DHCP"))
        .map(|(l, _)| l)
        .unwrap_or(1);
    for (line, a) in unit.all("Network", "Address") {
        let fam = if a.contains(':') {
            Family::V6
        } else {
            Family::V4
        };
        match IpAddress::parse(a, fam) {
            Ok(addr) => match fam {
                Family::V4 => v4.addresses.push(addr),
                Family::V6 => v6.addresses.push(addr),
            },
            Err(m) => r.say(&src.name, line, Severity::Error, m),
        }
    }
    for (key, is_dns) in [("Gateway", false), ("DNS", true)] {
        for (line, g) in unit.all("Network", key) {
            let list: Vec<&str> = if is_dns {
                g.split_whitespace().collect()
            } else {
                vec![g]
            };
            for one in list {
                match crate::model::ip::parse_ip(one) {
                    Ok(ip) => {
                        let fam = if ip.is_ipv4() { &mut v4 } else { &mut v6 };
                        if is_dns {
                            fam.dns.push(ip);
                        } else {
                            fam.gateway = Some(ip);
                        }
                    }
                    Err(m) => r.say(&src.name, line, Severity::Error, m),
                }
            }
        }
    }
    v4.method = if dhcp4 {
        IpMethod::Auto
    } else if !v4.addresses.is_empty() {
        IpMethod::Manual
    } else if matches!(lla.as_deref(), Some("yes" | "ipv4")) {
        IpMethod::LinkLocal
    } else {
        IpMethod::Disabled
    };
    v6.method = if ra == Some(true)
        || (ra.is_none()
            && v6.addresses.is_empty()
            && !dhcp6
            && lla.as_deref() != Some("no")
            && lla.as_deref() != Some("ipv4"))
    {
        IpMethod::Auto
    } else if dhcp6 {
        IpMethod::Dhcp
    } else if !v6.addresses.is_empty() {
        IpMethod::Manual
    } else if matches!(lla.as_deref(), None | Some("yes" | "ipv6")) {
        IpMethod::LinkLocal
    } else {
        IpMethod::Disabled
    };
    r.draft.ipv4 = Some(v4);
    r.draft.ipv6 = Some(v6);
    r.draft.mark("ipv4", &src.name, here);
    r.draft.mark("ipv6", &src.name, here);
}

pub fn read(src: &Source, r: &mut Report) {
    let units = units(src, r);
    for unit in &units {
        check_keys(src, unit, r);
        let is_bond = unit.get("NetDev", "Kind").is_some_and(|(_, k)| k == "bond");
        if is_bond {
            if let Some((line, name)) = unit.get("NetDev", "Name") {
                r.draft.name = Some(super::At {
                    value: name.to_string(),
                    file: src.name.clone(),
                    line,
                });
                r.draft.format = Some(DraftFormat::Networkd);
                r.draft.miimon_defaults_to_zero = true;
            }
            if let Some((_, m)) = unit.get("NetDev", "MTUBytes") {
                r.draft.mtu = m.parse().ok();
            }
            if let Some((_, m)) = unit.get("NetDev", "MACAddress") {
                r.draft.mac = Some(m.to_string());
            }
            for (_, line, key, value) in unit.pairs.iter().filter(|(s, ..)| s == "Bond") {
                bond_key(src, *line, key, value, r);
            }
        } else if unit.sections.iter().any(|s| s == "Bond") {
            let line = unit
                .pairs
                .iter()
                .find(|p| p.0 == "Bond")
                .map(|p| p.1)
                .unwrap_or(0);
            r.say(
                &src.name,
                line,
                Severity::Error,
                Message::new(Code::DraftBondWithoutNetdev, [""; 0]),
            );
        }
    }
    // .network files after every .netdev is known: a port names its bond.
    for unit in &units {
        let names: Vec<(usize, &str)> = unit
            .get("Match", "Name")
            .map(|(l, v)| v.split_whitespace().map(|n| (l, n)).collect())
            .unwrap_or_default();
        if let Some((line, bond)) = unit.get("Network", "Bond") {
            for (_, port) in &names {
                r.draft.add_port(port, &src.name, line);
                if unit
                    .get("Network", "PrimarySlave")
                    .is_some_and(|(_, v)| bool_value(v) == Some("1"))
                {
                    let (pl, _) = unit.get("Network", "PrimarySlave").expect("checked");
                    r.draft
                        .set_option("primary", port, "PrimarySlave", &src.name, pl);
                }
            }
            if r.draft.name.as_ref().is_some_and(|n| n.value != bond) {
                r.say(
                    &src.name,
                    line,
                    Severity::Error,
                    Message::new(Code::DraftPortOfOtherBond, [bond]),
                );
            }
        } else if unit.sections.iter().any(|s| s == "Network")
            && (r
                .draft
                .name
                .as_ref()
                .is_some_and(|n| names.iter().any(|(_, x)| *x == n.value))
                || r.draft.name.is_none())
            && !names.is_empty()
        {
            bond_network(src, unit, r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_spans() {
        assert_eq!(span_ms("100ms"), Some(100));
        assert_eq!(span_ms("1s 500ms"), Some(1500));
        assert_eq!(span_ms("2"), Some(2000));
        assert_eq!(span_ms("1.5s"), Some(1500));
        assert_eq!(span_ms("2min"), Some(120_000));
        assert_eq!(span_ms("100 parsecs"), None);
        assert_eq!(span_ms(""), None);
        assert_eq!(span_ms("ms"), None);
    }
}
