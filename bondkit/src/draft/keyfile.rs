//! NetworkManager keyfile drafts: a bond profile (`type=bond`, `[bond]` options by their NM
//! names) and its port profiles (`master=`/`controller=` the bond), one text or several.

use super::ini::{items, Item};
use super::{severity_of, unknown_key, unknown_section, At, DraftFormat, Report, Severity, Source};
use crate::model::{Code, Family, IpAddress, IpFamily, IpMethod, Message, PortSettings};

const SETTINGS: &[&str] = &[
    "connection",
    "ethernet",
    "802-3-ethernet",
    "bond",
    "bond-port",
    "ipv4",
    "ipv6",
    "proxy",
    "match",
    "ethtool",
    "user",
    "vlan",
    "bridge",
    "bridge-port",
    "team",
    "team-port",
    "wifi",
    "802-11-wireless",
    "802-1x",
    "dcb",
    "sriov",
    "tc",
    "link",
    "hostname",
    "ovs-interface",
    "ovs-port",
    "infiniband",
    "wired",
    "loopback",
];
pub(super) const CONNECTION: &[&str] = &[
    "id",
    "uuid",
    "type",
    "interface-name",
    "autoconnect",
    "autoconnect-priority",
    "autoconnect-retries",
    "autoconnect-slaves",
    "autoconnect-ports",
    "master",
    "controller",
    "slave-type",
    "port-type",
    "permissions",
    "zone",
    "timestamp",
    "read-only",
    "secondaries",
    "gateway-ping-timeout",
    "metered",
    "lldp",
    "mdns",
    "llmnr",
    "dns-over-tls",
    "mptcp-flags",
    "multi-connect",
    "auth-retries",
    "wait-device-timeout",
    "wait-activation-delay",
    "stable-id",
    "mud-url",
    "down-on-poweroff",
    "ip-ping-timeout",
    "ip-ping-addresses",
    "ip-ping-addresses-require-all",
];
pub(super) const IP: &[&str] = &[
    "method",
    "addresses",
    "gateway",
    "dns",
    "dns-search",
    "dns-options",
    "dns-priority",
    "routes",
    "route-metric",
    "route-table",
    "routing-rules",
    "ignore-auto-routes",
    "ignore-auto-dns",
    "never-default",
    "may-fail",
    "dhcp-client-id",
    "dhcp-hostname",
    "dhcp-send-hostname",
    "dhcp-timeout",
    "dhcp-iaid",
    "dhcp-fqdn",
    "dhcp-vendor-class-identifier",
    "dhcp-reject-servers",
    "dhcp-hostname-flags",
    "dad-timeout",
    "required-timeout",
    "link-local",
    "auto-route-ext-gw",
    "replace-local-rule",
    "addr-gen-mode",
    "ip6-privacy",
    "token",
    "ra-timeout",
    "dhcp-duid",
    "mtu",
    "dhcp-dscp",
    "dhcp-ipv6-only-preferred",
    "shared-dhcp-range",
    "shared-dhcp-lease-time",
    "forwarding",
    "temp-valid-lifetime",
    "temp-preferred-lifetime",
    "dhcp-pd-hint",
    "routed-dns",
];
pub(super) const ETHERNET: &[&str] = &[
    "mtu",
    "cloned-mac-address",
    "mac-address",
    "mac-address-blacklist",
    "mac-address-denylist",
    "generate-mac-address-mask",
    "auto-negotiate",
    "speed",
    "duplex",
    "wake-on-lan",
    "wake-on-lan-password",
    "port",
    "s390-subchannels",
    "s390-nettype",
    "s390-options",
    "accept-all-mac-addresses",
];
pub(super) const BOND_PORT: &[&str] = &["queue-id", "prio"];

fn keys_of(section: &str) -> Option<&'static [&'static str]> {
    Some(match section {
        "connection" => CONNECTION,
        "ipv4" | "ipv6" => IP,
        "ethernet" | "802-3-ethernet" => ETHERNET,
        "bond-port" => BOND_PORT,
        _ => return None,
    })
}

/// One profile: (section, line, key, value).
type Profile = Vec<(String, usize, String, String)>;

fn get<'a>(p: &'a Profile, section: &str, key: &str) -> Option<(usize, &'a str)> {
    p.iter()
        .rev()
        .find(|(s, _, k, _)| s == section && k == key)
        .map(|(_, l, _, v)| (*l, v.as_str()))
}

fn family(src: &Source, p: &Profile, f: Family, r: &mut Report) -> Option<IpFamily> {
    let sec = f.section();
    let (line, method) = get(p, sec, "method")?;
    let mut fam = IpFamily::with_method(IpMethod::parse(method));
    r.draft.mark(sec, &src.name, line);
    for (s, l, k, v) in p {
        if s != sec {
            continue;
        }
        let addr_key = k
            .strip_prefix("address")
            .is_some_and(|n| n.is_empty() || n.bytes().all(|b| b.is_ascii_digit()));
        if addr_key || k == "addresses" {
            // address1=ADDR/PREFIX[,GATEWAY]; lists separated by ';'.
            for a in v.split(';').filter(|a| !a.trim().is_empty()) {
                let (addr, gw) = a.split_once(',').unwrap_or((a, ""));
                match IpAddress::parse(addr, f) {
                    Ok(x) => fam.addresses.push(x),
                    Err(m) => r.say(&src.name, *l, Severity::Error, m),
                }
                if let Ok(g) = gw.trim().parse() {
                    fam.gateway = Some(g);
                }
            }
        } else if k == "gateway" {
            match crate::model::ip::parse_ip(v) {
                Ok(g) => fam.gateway = Some(g),
                Err(m) => r.say(&src.name, *l, Severity::Error, m),
            }
        } else if k == "dns" {
            for d in v.split([';', ',']).filter(|d| !d.trim().is_empty()) {
                match crate::model::ip::parse_ip(d) {
                    Ok(ip) => fam.dns.push(ip),
                    Err(m) => r.say(&src.name, *l, Severity::Error, m),
                }
            }
        } else if !IP.contains(&k.as_str()) && !addr_key && !k.starts_with("route") {
            let m = unknown_key(k, &format!("NetworkManager [{sec}]"), IP.iter().copied());
            let sev = severity_of(&m);
            r.say(&src.name, *l, sev, m);
        }
    }
    Some(fam)
}

pub fn read(src: &Source, r: &mut Report) {
    let mut profiles: Vec<Profile> = Vec::new();
    let mut section: Option<String> = None;
    for (line, item) in items(&src.text) {
        match item {
            Item::Section(s) => {
                if s == "connection" || profiles.is_empty() {
                    profiles.push(Vec::new());
                }
                if !SETTINGS.contains(&s.as_str()) && !s.starts_with("vpn") {
                    let m = unknown_section(&s, "NetworkManager keyfile", SETTINGS.iter().copied());
                    let sev = severity_of(&m);
                    r.say(&src.name, line, sev, m);
                }
                section = Some(s);
            }
            Item::Pair { key, value } => match (&section, profiles.last_mut()) {
                (Some(s), Some(p)) => p.push((s.clone(), line, key, value)),
                _ => r.say(
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
    for p in &profiles {
        for (s, l, k, _) in p {
            if let Some(known) = keys_of(s) {
                if !known.contains(&k.as_str()) && !(s.starts_with("ipv")) {
                    let m = unknown_key(k, &format!("NetworkManager [{s}]"), known.iter().copied());
                    let sev = severity_of(&m);
                    r.say(&src.name, *l, sev, m);
                }
            }
        }
        let kind = get(p, "connection", "type").map(|(_, t)| t);
        let ifname = get(p, "connection", "interface-name");
        match kind {
            Some("bond") => {
                let Some((line, name)) = ifname.or(get(p, "connection", "id")) else {
                    continue;
                };
                r.draft.name = Some(At {
                    value: name.to_string(),
                    file: src.name.clone(),
                    line,
                });
                r.draft.format = Some(DraftFormat::Keyfile);
                for (s, l, k, v) in p.iter().filter(|x| x.0 == "bond") {
                    let _ = s;
                    r.draft.set_option(k, v, k, &src.name, *l);
                }
                if !p.iter().any(|x| x.0 == "bond") {
                    r.say(
                        &src.name,
                        line,
                        Severity::Error,
                        Message::new(Code::NeedsMode, [""; 0]),
                    );
                }
                r.draft.ipv4 = family(src, p, Family::V4, r);
                r.draft.ipv6 = family(src, p, Family::V6, r);
                for sec in ["ethernet", "802-3-ethernet"] {
                    if let Some((l, m)) = get(p, sec, "mtu") {
                        r.draft.mtu = m.parse().ok().filter(|m| *m > 0);
                        r.draft.mark("mtu", &src.name, l);
                    }
                    if let Some((l, m)) = get(p, sec, "cloned-mac-address") {
                        r.draft.mac = Some(m.to_string());
                        r.draft.mark("mac", &src.name, l);
                    }
                }
            }
            Some("ethernet" | "802-3-ethernet" | "bond-slave") => {
                let controller =
                    get(p, "connection", "master").or(get(p, "connection", "controller"));
                let port_type =
                    get(p, "connection", "slave-type").or(get(p, "connection", "port-type"));
                let (Some((line, _)), Some((_, port))) = (controller, ifname) else {
                    continue;
                };
                if port_type.is_some_and(|(_, t)| t != "bond") {
                    continue;
                }
                r.draft.add_port(port, &src.name, line);
                let mut ps = PortSettings::default();
                for (_, l, k, v) in p.iter().filter(|x| x.0 == "bond-port") {
                    if let Err(m) = ps.set(k, v) {
                        r.say(&src.name, *l, Severity::Error, m);
                    }
                }
                if !ps.is_empty() {
                    r.draft.port_settings.insert(port.to_string(), ps);
                }
            }
            _ => {}
        }
    }
}
