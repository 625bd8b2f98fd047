//! nmstate drafts: nmstate 2.x YAML (`interfaces:` with a `type: bond` entry and its
//! `link-aggregation`), bare or inside a kubernetes-nmstate `NodeNetworkConfigurationPolicy`.
//! Option names are nmstate's, from the option table.

use super::yaml::{parse, Node};
use super::{severity_of, unknown_key, At, DraftFormat, Report, Severity, Source};
use crate::model::option_formats::nmstate_names;
use crate::model::{Code, Family, IpAddress, IpFamily, IpMethod, Message, PortSettings};

const TOP: &[&str] = &[
    "interfaces",
    "routes",
    "dns-resolver",
    "route-rules",
    "ovs-db",
    "ovn",
    "hostname",
    "dispatch",
];
const NNCP: &[&str] = &["apiVersion", "kind", "metadata", "spec"];
const IFACE: &[&str] = &[
    "name",
    "type",
    "state",
    "description",
    "mtu",
    "min-mtu",
    "max-mtu",
    "mac-address",
    "permanent-mac-address",
    "copy-mac-from",
    "accept-all-mac-addresses",
    "ipv4",
    "ipv6",
    "link-aggregation",
    "bond",
    "ethtool",
    "lldp",
    "controller",
    "profile-name",
    "identifier",
    "wait-ip",
    "802.1x",
    "mptcp",
    "dispatch",
    "ethernet",
    "ovs-db",
    "ieee-8021x",
    "alt-names",
];
const LINK_AGG: &[&str] = &["mode", "options", "port", "ports-config"];
const IP: &[&str] = &[
    "enabled",
    "dhcp",
    "autoconf",
    "address",
    "auto-dns",
    "auto-gateway",
    "auto-routes",
    "auto-route-table-id",
    "auto-route-metric",
    "dhcp-client-id",
    "dhcp-duid",
    "addr-gen-mode",
    "allow-extra-address",
    "token",
    "dhcp-send-hostname",
    "dhcp-custom-hostname",
    "forwarding",
];

fn scalar_at(n: &Node) -> Option<String> {
    n.scalar().map(str::to_string)
}

/// An nmstate option value in NM's spelling.
fn nm_value(nm: &str, n: &Node) -> Option<String> {
    if let Node::Seq(items) = n {
        return Some(
            items
                .iter()
                .filter_map(|(_, i)| i.scalar())
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    let v = n.scalar()?.to_string();
    let b = match v.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    };
    Some(match (nm, b) {
        ("lacp_active", Some(b)) => (if b { "on" } else { "off" }).into(),
        ("use_carrier" | "tlb_dynamic_lb" | "balance-slb", Some(b)) => {
            (if b { "1" } else { "0" }).into()
        }
        ("all_slaves_active", _) if v == "delivered" => "1".into(),
        ("all_slaves_active", _) if v == "dropped" => "0".into(),
        _ => v,
    })
}

fn check_keys(src: &Source, node: &Node, known: &[&str], what: &str, r: &mut Report) {
    if let Node::Map(m) = node {
        for (k, l, _) in m {
            if !known.contains(&k.as_str()) {
                let msg = unknown_key(k, what, known.iter().copied());
                let sev = severity_of(&msg);
                r.say(&src.name, *l, sev, msg);
            }
        }
    }
}

fn family(src: &Source, node: &Node, f: Family, line: usize, r: &mut Report) -> IpFamily {
    check_keys(src, node, IP, &format!("nmstate {}", f.section()), r);
    let flag = |k: &str| {
        node.get(k)
            .and_then(|(_, n)| n.scalar())
            .map(|s| s == "true")
    };
    let mut fam = IpFamily::with_method(IpMethod::Disabled);
    if let Some((_, Node::Seq(items))) = node.get("address") {
        for (l, a) in items {
            let ip = a
                .get("ip")
                .and_then(|(_, n)| n.scalar())
                .unwrap_or_default();
            let prefix = a
                .get("prefix-length")
                .and_then(|(_, n)| n.scalar())
                .unwrap_or_default();
            match IpAddress::parse(&format!("{ip}/{prefix}"), f) {
                Ok(x) => fam.addresses.push(x),
                Err(m) => r.say(&src.name, *l, Severity::Error, m),
            }
        }
    }
    fam.method = match (flag("enabled"), flag("dhcp"), flag("autoconf")) {
        (Some(false), ..) => IpMethod::Disabled,
        (_, Some(true), Some(false)) if f == Family::V6 => IpMethod::Dhcp,
        (_, Some(true), _) | (_, _, Some(true)) => IpMethod::Auto,
        _ if !fam.addresses.is_empty() => IpMethod::Manual,
        (Some(true), ..) => IpMethod::Auto,
        _ => IpMethod::Disabled,
    };
    r.draft.mark(f.section(), &src.name, line);
    fam
}

fn bond(src: &Source, iface: &Node, r: &mut Report) {
    check_keys(src, iface, IFACE, "nmstate interface", r);
    let Some((line, name)) = iface
        .get("name")
        .and_then(|(l, n)| Some((l, scalar_at(n)?)))
    else {
        return;
    };
    r.draft.name = Some(At {
        value: name.clone(),
        file: src.name.clone(),
        line,
    });
    r.draft.format = Some(DraftFormat::Nmstate);
    if let Some((l, n)) = iface.get("mtu") {
        r.draft.mtu = n.scalar().and_then(|m| m.parse().ok());
        r.draft.mark("mtu", &src.name, l);
    }
    if let Some((l, n)) = iface.get("mac-address") {
        r.draft.mac = scalar_at(n);
        r.draft.mark("mac", &src.name, l);
    }
    let Some((la_line, la)) = iface.get("link-aggregation").or(iface.get("bond")) else {
        r.say(
            &src.name,
            line,
            Severity::Error,
            Message::new(Code::DraftNoLinkAggregation, [name.as_str()]),
        );
        return;
    };
    let la_keys: Vec<&str> = LINK_AGG.iter().copied().chain(["slaves"]).collect();
    check_keys(src, la, &la_keys, "nmstate link-aggregation", r);
    match la.get("mode") {
        Some((l, n)) => {
            let m = scalar_at(n).unwrap_or_default();
            // nmstate's own alias.
            let m = if m == "lacp" {
                "802.3ad".to_string()
            } else {
                m
            };
            r.draft.set_option("mode", &m, "mode", &src.name, l);
        }
        None => r.say(
            &src.name,
            la_line,
            Severity::Error,
            Message::new(Code::NeedsMode, [""; 0]),
        ),
    }
    if let Some((_, Node::Map(opts))) = la.get("options") {
        let names: Vec<(&str, &str)> = nmstate_names().collect();
        for (k, l, n) in opts {
            let Some((nm, _)) = names
                .iter()
                .find(|(_, s)| s == k || (k == "balance-slb" && *s == "balance_slb"))
            else {
                let m = unknown_key(k, "nmstate bond option", names.iter().map(|(_, s)| *s));
                r.say(&src.name, *l, Severity::Error, m);
                continue;
            };
            match nm_value(nm, n) {
                Some(v) => r.draft.set_option(nm, &v, k, &src.name, *l),
                None => r.say(
                    &src.name,
                    *l,
                    Severity::Error,
                    Message::new(Code::DraftBadValue, [k.as_str(), "", "a single value"]),
                ),
            }
        }
    }
    if let Some((l, _)) = la.get("slaves") {
        r.say(
            &src.name,
            l,
            Severity::Error,
            Message::new(Code::DraftNmstateSlaves, [""; 0]),
        );
    }
    if let Some((_, Node::Seq(ports))) = la.get("port").or(la.get("slaves")) {
        for (l, p) in ports {
            if let Some(p) = p.scalar() {
                r.draft.add_port(p, &src.name, *l);
            }
        }
    }
    if let Some((_, Node::Seq(confs))) = la.get("ports-config") {
        for (l, c) in confs {
            let Some(port) = c.get("name").and_then(|(_, n)| scalar_at(n)) else {
                continue;
            };
            let mut s = PortSettings::default();
            for (key, nm) in [("priority", "prio"), ("queue-id", "queue-id")] {
                if let Some(v) = c.get(key).and_then(|(_, n)| scalar_at(n)) {
                    if let Err(m) = s.set(nm, &v) {
                        r.say(&src.name, *l, Severity::Error, m);
                    }
                }
            }
            if !s.is_empty() {
                r.draft.port_settings.insert(port, s);
            }
        }
    }
    for f in [Family::V4, Family::V6] {
        if let Some((l, n)) = iface.get(f.section()) {
            let fam = family(src, n, f, l, r);
            match f {
                Family::V4 => r.draft.ipv4 = Some(fam),
                Family::V6 => r.draft.ipv6 = Some(fam),
            }
        }
    }
}

pub fn read(src: &Source, r: &mut Report) {
    let root = match parse(&src.text) {
        Ok(n) => n,
        Err(e) => {
            r.say(
                &src.name,
                e.line,
                Severity::Error,
                Message::new(Code::DraftYaml, [e.why]),
            );
            return;
        }
    };
    let state = if root.get("apiVersion").is_some() || root.get("spec").is_some() {
        check_keys(src, &root, NNCP, "kubernetes-nmstate policy", r);
        match root.get("spec").and_then(|(_, s)| s.get("desiredState")) {
            Some((_, s)) => s.clone(),
            None => {
                r.say(
                    &src.name,
                    1,
                    Severity::Error,
                    Message::new(Code::DraftNncpNoState, [""; 0]),
                );
                return;
            }
        }
    } else {
        root
    };
    check_keys(src, &state, TOP, "nmstate", r);
    if let Some((_, Node::Seq(ifaces))) = state.get("interfaces") {
        for (_, iface) in ifaces {
            if iface.get("type").and_then(|(_, t)| t.scalar()) == Some("bond") {
                bond(src, iface, r);
            }
        }
    }
    // A default route is the gateway; the resolver's servers are DNS.
    if let Some((_, Node::Seq(routes))) = state.get("routes").and_then(|(_, n)| n.get("config")) {
        for (l, route) in routes {
            let dest = route.get("destination").and_then(|(_, n)| n.scalar());
            let hop = route.get("next-hop-address").and_then(|(_, n)| n.scalar());
            if let (Some("0.0.0.0/0" | "::/0"), Some(h)) = (dest, hop) {
                match crate::model::ip::parse_ip(h) {
                    Ok(g) => {
                        let fam = if g.is_ipv4() {
                            &mut r.draft.ipv4
                        } else {
                            &mut r.draft.ipv6
                        };
                        fam.get_or_insert_with(IpFamily::auto).gateway = Some(g);
                    }
                    Err(m) => r.say(&src.name, *l, Severity::Error, m),
                }
            }
        }
    }
    if let Some((_, Node::Seq(servers))) = state
        .get("dns-resolver")
        .and_then(|(_, n)| n.get("config"))
        .and_then(|(_, n)| n.get("server"))
    {
        for (l, s) in servers {
            match s.scalar().map(crate::model::ip::parse_ip) {
                Some(Ok(ip)) => {
                    let fam = if ip.is_ipv4() {
                        &mut r.draft.ipv4
                    } else {
                        &mut r.draft.ipv6
                    };
                    fam.get_or_insert_with(IpFamily::auto).dns.push(ip);
                }
                Some(Err(m)) => r.say(&src.name, *l, Severity::Error, m),
                None => {}
            }
        }
    }
}
