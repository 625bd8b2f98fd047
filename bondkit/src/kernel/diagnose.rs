//! Plain-language diagnostics from the kernel's bond state (and NM's view of it), each with
//! the fix. These are the pitfalls the seed article teaches users to spot by hand.

use super::state::{KernelBond, ZERO_MAC};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable identifier for scripts and tests.
    pub code: &'static str,
    pub message: String,
}

/// What NetworkManager says about the same bond.
#[derive(Debug, Clone, Default)]
pub struct NmView {
    /// NM's device state of the bond ("activated", "disconnected", ...), if it has a device.
    pub bond_state: Option<String>,
    /// NM's device state of each port device, by name.
    pub port_states: Vec<(String, String)>,
    /// Whether the bond's traffic leaves through a gateway (a gateway is configured).
    pub has_gateway: bool,
}

impl NmView {
    /// NM's side of `bond`, from its profile and the devices NM lists (one place for the
    /// CLI's status and the GUI's bond page).
    pub fn of(bond: &crate::nm::BondProfile, devices: &[crate::nm::DeviceInfo]) -> NmView {
        let state = |name: &str| {
            devices
                .iter()
                .find(|d| d.interface == name)
                .map(|d| d.state.clone())
        };
        NmView {
            bond_state: state(bond.name()),
            port_states: bond
                .ports
                .iter()
                .filter_map(|p| Some((p.interface.clone(), state(&p.interface)?)))
                .collect(),
            has_gateway: bond.settings.ipv4.gateway.is_some()
                || bond.settings.ipv6.gateway.is_some(),
        }
    }
}

fn d(code: &'static str, message: String) -> Diagnostic {
    Diagnostic { code, message }
}

pub fn diagnose(k: &KernelBond, nm: Option<&NmView>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let up: Vec<&str> = k
        .ports
        .iter()
        .filter(|p| p.mii == "up")
        .map(|p| p.name.as_str())
        .collect();
    let down: Vec<&str> = k
        .ports
        .iter()
        .filter(|p| p.mii != "up")
        .map(|p| p.name.as_str())
        .collect();
    let lacp = k.mode == "802.3ad";

    if lacp && !up.is_empty() && k.ad_info.as_ref().is_none_or(|a| a.partner_mac == ZERO_MAC) {
        out.push(d("lacp_no_partner", format!(
            "The switch is not speaking LACP: {}'s partner MAC is {ZERO_MAC}, so the bond uses one port at most. Configure the switch ports as an LACP (802.3ad) port-channel, or change the bond to active-backup.",
            k.name)));
    }
    if lacp {
        let mut aggs: Vec<(u16, &str)> = k
            .ports
            .iter()
            .filter(|p| p.mii == "up")
            .filter_map(|p| Some((p.aggregator_id?, p.name.as_str())))
            .collect();
        aggs.sort();
        let mut ids: Vec<u16> = aggs.iter().map(|(a, _)| *a).collect();
        ids.dedup();
        if ids.len() > 1 {
            let list = aggs
                .iter()
                .map(|(a, n)| format!("{n} in {a}"))
                .collect::<Vec<_>>()
                .join(", ");
            let active = k
                .ad_info
                .as_ref()
                .map(|a| a.aggregator.to_string())
                .unwrap_or_else(|| "one".into());
            out.push(d("split_aggregators", format!(
                "The ports sit in different aggregators ({list}), so only aggregator {active} carries traffic. Put all the switch ports in the same port-channel, with the same speed."
            )));
        }
    }
    match (k.ports.len(), up.len()) {
        (0, _) => out.push(d("no_ports", format!("{} has no ports; add at least two for redundancy.", k.name))),
        (_, 0) => out.push(d("no_port_up", format!(
            "No port of {} has a link ({}): the bond is down. Check the cables and the switch ports.", k.name, down.join(", ")))),
        (1, 1) => out.push(d("no_redundancy", format!(
            "{} has a single port ({}): there is no redundancy. Add a second port.", k.name, up[0]))),
        (_, 1) => out.push(d("no_redundancy", format!(
            "Only {} is up, so no redundancy is left: check the cable and switch port of {}.", up[0], down.join(", ")))),
        _ => {}
    }
    if k.miimon == 0 && k.arp_interval == 0 {
        out.push(d("no_link_monitoring", format!(
            "{} watches no links (miimon 0 and no ARP monitoring), so it never notices a dead port. Set miimon to 100.", k.name)));
    }
    let hashing = matches!(
        k.mode.as_str(),
        "balance-xor" | "802.3ad" | "balance-tlb" | "balance-alb"
    );
    if hashing
        && k.ports.len() > 1
        && k.xmit_hash_policy.as_deref() == Some("layer2")
        && nm.is_some_and(|n| n.has_gateway)
    {
        out.push(d("layer2_behind_gateway", format!(
            "{} hashes by MAC address (layer2) and its traffic goes through one gateway, so all of it uses one port. Set xmit_hash_policy to layer3+4.", k.name)));
    }
    let speeds: Vec<(u32, &str)> = k
        .ports
        .iter()
        .filter(|p| p.mii == "up")
        .filter_map(|p| Some((p.speed_mbps?, p.name.as_str())))
        .collect();
    if speeds.windows(2).any(|w| w[0].0 != w[1].0) {
        let list = speeds
            .iter()
            .map(|(s, n)| format!("{n} {s} Mb/s"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(d("speed_mismatch", format!("The ports run at different speeds ({list}); use ports of the same speed, or check for a bad cable.")));
    }
    let duplex: Vec<(&str, &str)> = k
        .ports
        .iter()
        .filter(|p| p.mii == "up")
        .filter_map(|p| Some((p.duplex.as_deref()?, p.name.as_str())))
        .collect();
    if duplex.windows(2).any(|w| w[0].0 != w[1].0) {
        let list = duplex
            .iter()
            .map(|(x, n)| format!("{n} {x}"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(d("duplex_mismatch", format!("The ports run at different duplex ({list}); set the switch ports to auto-negotiate.")));
    }
    if let Some(nm) = nm {
        let nm_up = nm.bond_state.as_deref() == Some("activated");
        if nm_up != k.oper_up {
            let (a, b) = if nm_up {
                ("up in NetworkManager", "down in the kernel")
            } else {
                ("not active in NetworkManager", "up in the kernel")
            };
            out.push(d("nm_kernel_mismatch", format!(
                "{} is {a} but {b}; something outside NetworkManager changed it. Re-activate it with NetworkManager (bondctl up {}).", k.name, k.name)));
        }
        for p in &k.ports {
            if let Some((_, st)) = nm.port_states.iter().find(|(n, _)| *n == p.name) {
                if st != "activated" {
                    out.push(d("nm_kernel_mismatch", format!(
                        "{} is a port of {} in the kernel but {st} in NetworkManager; re-activate the bond so that NetworkManager manages it again.", p.name, k.name)));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::state::{AdInfo, KernelPort};

    fn port(name: &str, mii: &str, agg: u16, speed: u32) -> KernelPort {
        KernelPort {
            name: name.into(),
            ifindex: 0,
            state: "backup".into(),
            mii: mii.into(),
            link_failures: 0,
            speed_mbps: Some(speed),
            duplex: Some("full".into()),
            perm_mac: None,
            aggregator_id: Some(agg),
            actor_state: Some(63),
            partner_state: Some(63),
            actor_state_words: vec![],
            partner_state_words: vec![],
            partner_mac: None,
            oper_up: mii == "up",
        }
    }

    fn lacp_bond(partner: &str, ports: Vec<KernelPort>) -> KernelBond {
        KernelBond {
            name: "bond0".into(),
            ifindex: 9,
            mode: "802.3ad".into(),
            active_port: None,
            miimon: 100,
            updelay: 0,
            downdelay: 0,
            arp_interval: 0,
            arp_targets: vec![],
            xmit_hash_policy: Some("layer3+4".into()),
            lacp_rate: Some("fast".into()),
            ad_info: Some(AdInfo {
                aggregator: 1,
                num_ports: 2,
                actor_key: 15,
                partner_key: 15,
                partner_mac: partner.into(),
            }),
            oper_up: true,
            ports,
        }
    }

    fn codes(v: &[Diagnostic]) -> Vec<&str> {
        v.iter().map(|d| d.code).collect()
    }

    #[test]
    fn healthy_lacp_bond_has_nothing_to_say() {
        let b = lacp_bond(
            "52:54:00:bb:00:01",
            vec![port("eno1", "up", 1, 10000), port("eno2", "up", 1, 10000)],
        );
        assert!(diagnose(&b, None).is_empty());
    }

    #[test]
    fn switch_without_lacp() {
        let b = lacp_bond(
            ZERO_MAC,
            vec![port("eno1", "up", 1, 10000), port("eno2", "up", 2, 10000)],
        );
        let d = diagnose(&b, None);
        assert_eq!(codes(&d), ["lacp_no_partner", "split_aggregators"]);
        assert!(d[0].message.starts_with("The switch is not speaking LACP"));
        assert!(d[1].message.contains("eno1 in 1, eno2 in 2"));
    }

    #[test]
    fn redundancy_monitoring_hashing_and_mismatches() {
        let mut b = lacp_bond(
            "52:54:00:bb:00:01",
            vec![port("eno1", "down", 1, 10000), port("eno2", "up", 1, 1000)],
        );
        assert_eq!(
            diagnose(&b, None)[0].message,
            "Only eno2 is up, so no redundancy is left: check the cable and switch port of eno1."
        );
        b.ports[0].mii = "up".into();
        b.miimon = 0;
        b.xmit_hash_policy = Some("layer2".into());
        let nm = NmView {
            bond_state: Some("activated".into()),
            port_states: vec![("eno1".into(), "activated".into())],
            has_gateway: true,
        };
        assert_eq!(
            codes(&diagnose(&b, Some(&nm))),
            [
                "no_link_monitoring",
                "layer2_behind_gateway",
                "speed_mismatch"
            ]
        );
        let nm = NmView {
            bond_state: Some("disconnected".into()),
            ..nm
        };
        assert!(codes(&diagnose(&b, Some(&nm))).contains(&"nm_kernel_mismatch"));
    }
}
