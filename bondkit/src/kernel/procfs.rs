//! A parser for `/proc/net/bonding/<bond>`, the text the seed teaches users to read: a
//! cross-check of the netlink view, and the raw material of support output. It never
//! panics, whatever the input (see the proptest below).

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProcPort {
    pub name: String,
    pub mii: Option<String>,
    pub speed_mbps: Option<u32>,
    pub duplex: Option<String>,
    pub link_failures: Option<u32>,
    pub perm_mac: Option<String>,
    pub aggregator_id: Option<u16>,
    pub actor_state: Option<u8>,
    pub partner_state: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProcBond {
    pub mode: Option<String>,
    pub xmit_hash_policy: Option<String>,
    pub active_port: Option<String>,
    pub primary: Option<String>,
    pub mii: Option<String>,
    pub miimon: Option<u32>,
    pub updelay: Option<u32>,
    pub downdelay: Option<u32>,
    pub lacp_rate: Option<String>,
    pub aggregator_id: Option<u16>,
    pub partner_mac: Option<String>,
    pub ports: Vec<ProcPort>,
}

fn mode_name(text: &str) -> String {
    let t = text.to_ascii_lowercase();
    let name = if t.contains("802.3ad") {
        "802.3ad"
    } else if t.contains("active-backup") {
        "active-backup"
    } else if t.contains("round-robin") {
        "balance-rr"
    } else if t.contains("(xor)") {
        "balance-xor"
    } else if t.contains("broadcast") {
        "broadcast"
    } else if t.contains("adaptive load balancing") {
        "balance-alb"
    } else if t.contains("transmit load balancing") {
        "balance-tlb"
    } else {
        return text.trim().to_string();
    };
    name.to_string()
}

fn none_if_none(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && v != "None").then(|| v.to_string())
}

#[derive(PartialEq)]
enum Pdu {
    None,
    Actor,
    Partner,
}

/// Parses the whole file. Unknown lines are skipped.
pub fn parse(text: &str) -> ProcBond {
    let mut b = ProcBond::default();
    let mut port: Option<ProcPort> = None;
    let mut pdu = Pdu::None;
    for raw in text.lines() {
        let line = raw.trim();
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let num = || {
            value
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        };
        if key == "Slave Interface" {
            if let Some(p) = port.take() {
                b.ports.push(p);
            }
            port = Some(ProcPort {
                name: value.to_string(),
                ..Default::default()
            });
            pdu = Pdu::None;
            continue;
        }
        if key == "details actor lacp pdu" {
            pdu = Pdu::Actor;
            continue;
        }
        if key == "details partner lacp pdu" {
            pdu = Pdu::Partner;
            continue;
        }
        match port.as_mut() {
            Some(p) => match key {
                "MII Status" => p.mii = Some(value.to_string()),
                "Speed" => p.speed_mbps = num().and_then(|n| u32::try_from(n).ok()),
                "Duplex" => {
                    p.duplex = Some(value.to_string()).filter(|d| d == "full" || d == "half")
                }
                "Link Failure Count" => p.link_failures = num().and_then(|n| u32::try_from(n).ok()),
                "Permanent HW addr" => p.perm_mac = Some(value.to_ascii_lowercase()),
                "Aggregator ID" => p.aggregator_id = num().and_then(|n| u16::try_from(n).ok()),
                "port state" => {
                    let s = num().and_then(|n| u8::try_from(n).ok());
                    match pdu {
                        Pdu::Actor => p.actor_state = s,
                        Pdu::Partner => p.partner_state = s,
                        Pdu::None => {}
                    }
                }
                _ => {}
            },
            None => match key {
                "Bonding Mode" => b.mode = Some(mode_name(value)),
                "Transmit Hash Policy" => {
                    b.xmit_hash_policy = value.split_whitespace().next().map(str::to_string)
                }
                "Currently Active Slave" => b.active_port = none_if_none(value),
                "Primary Slave" => {
                    b.primary = none_if_none(value)
                        .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
                }
                "MII Status" => b.mii = Some(value.to_string()),
                "MII Polling Interval (ms)" => b.miimon = num().and_then(|n| u32::try_from(n).ok()),
                "Up Delay (ms)" => b.updelay = num().and_then(|n| u32::try_from(n).ok()),
                "Down Delay (ms)" => b.downdelay = num().and_then(|n| u32::try_from(n).ok()),
                "LACP rate" => b.lacp_rate = Some(value.to_string()),
                "Aggregator ID" => b.aggregator_id = num().and_then(|n| u16::try_from(n).ok()),
                "Partner Mac Address" => b.partner_mac = Some(value.to_ascii_lowercase()),
                _ => {}
            },
        }
    }
    if let Some(p) = port {
        b.ports.push(p);
    }
    b
}

/// Reads and parses /proc/net/bonding/NAME, as the calling thread's network namespace sees it.
pub fn read(name: &str) -> std::io::Result<ProcBond> {
    Ok(parse(&std::fs::read_to_string(format!(
        "/proc/thread-self/net/bonding/{name}"
    ))?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ACTIVE_BACKUP: &str = "Ethernet Channel Bonding Driver: v6.1.0-56-amd64

Bonding Mode: fault-tolerance (active-backup)
Primary Slave: None
Currently Active Slave: eno2
MII Status: up
MII Polling Interval (ms): 100
Up Delay (ms): 0
Down Delay (ms): 0
Peer Notification Delay (ms): 0

Slave Interface: eno1
MII Status: down
Speed: Unknown
Duplex: Unknown
Link Failure Count: 1
Permanent HW addr: 52:54:00:AA:00:01
Slave queue ID: 0

Slave Interface: eno2
MII Status: up
Speed: 10000 Mbps
Duplex: full
Link Failure Count: 0
Permanent HW addr: 52:54:00:aa:00:02
Slave queue ID: 0
";

    const LACP: &str = "Ethernet Channel Bonding Driver: v6.1.0-56-amd64

Bonding Mode: IEEE 802.3ad Dynamic link aggregation
Transmit Hash Policy: layer3+4 (1)
MII Status: up
MII Polling Interval (ms): 100
Up Delay (ms): 0
Down Delay (ms): 0
Peer Notification Delay (ms): 0

802.3ad info
LACP active: on
LACP rate: fast
Min links: 0
Aggregator selection policy (ad_select): stable
System priority: 65535
System MAC address: 52:54:00:aa:00:01
Active Aggregator Info:
\tAggregator ID: 1
\tNumber of ports: 2
\tActor Key: 15
\tPartner Key: 15
\tPartner Mac Address: 52:54:00:bb:00:01

Slave Interface: eno1
MII Status: up
Speed: 10000 Mbps
Duplex: full
Link Failure Count: 0
Permanent HW addr: 52:54:00:aa:00:01
Slave queue ID: 0
Aggregator ID: 1
Actor Churn State: none
Partner Churn State: none
Actor Churned Count: 0
Partner Churned Count: 0
details actor lacp pdu:
    system priority: 65535
    system mac address: 52:54:00:aa:00:01
    port key: 15
    port priority: 255
    port number: 1
    port state: 63
details partner lacp pdu:
    system priority: 65535
    system mac address: 52:54:00:bb:00:01
    oper key: 15
    port priority: 255
    port number: 1
    port state: 61
";

    #[test]
    fn parses_active_backup() {
        let b = parse(ACTIVE_BACKUP);
        assert_eq!(b.mode.as_deref(), Some("active-backup"));
        assert_eq!(b.active_port.as_deref(), Some("eno2"));
        assert_eq!(b.primary, None);
        assert_eq!(b.miimon, Some(100));
        assert_eq!(b.ports.len(), 2);
        assert_eq!(b.ports[0].mii.as_deref(), Some("down"));
        assert_eq!(b.ports[0].link_failures, Some(1));
        assert_eq!(b.ports[0].speed_mbps, None);
        assert_eq!(b.ports[0].perm_mac.as_deref(), Some("52:54:00:aa:00:01"));
        assert_eq!(b.ports[1].speed_mbps, Some(10000));
        assert_eq!(b.ports[1].duplex.as_deref(), Some("full"));
    }

    #[test]
    fn parses_lacp_details() {
        let b = parse(LACP);
        assert_eq!(b.mode.as_deref(), Some("802.3ad"));
        assert_eq!(b.xmit_hash_policy.as_deref(), Some("layer3+4"));
        assert_eq!(b.lacp_rate.as_deref(), Some("fast"));
        assert_eq!(b.aggregator_id, Some(1));
        assert_eq!(b.partner_mac.as_deref(), Some("52:54:00:bb:00:01"));
        assert_eq!(b.ports[0].aggregator_id, Some(1));
        assert_eq!(b.ports[0].actor_state, Some(63));
        assert_eq!(b.ports[0].partner_state, Some(61));
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(text in "\\PC*") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_mangled_real_files(cut in 0usize..2000, junk in "[ -~\\t\\n:]{0,200}", which in 0usize..2) {
            let base = [ACTIVE_BACKUP, LACP][which];
            let cut = base.char_indices().map(|(i, _)| i).rfind(|i| *i <= cut).unwrap_or(0);
            let text = format!("{}{}{}", &base[..cut], junk, &base[cut..]);
            let b = parse(&text);
            prop_assert!(b.ports.len() <= 2 + junk.matches("Slave Interface").count());
        }
    }
}
