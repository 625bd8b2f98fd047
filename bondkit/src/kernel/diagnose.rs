//! Plain-language diagnostics from the kernel's bond state (and NM's view of it), each with
//! the fix. These are the pitfalls the seed article teaches users to spot by hand.

use super::state::{KernelBond, ZERO_MAC};
use crate::model::message::{Code, Message};
use serde::{Serialize, Serializer};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable identifier for scripts and tests.
    pub code: &'static str,
    /// What is wrong and the fix, with no front end's advice in it; in JSON, the English
    /// text.
    #[serde(serialize_with = "english")]
    pub message: Message,
}

fn english<S: Serializer>(m: &Message, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_string())
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

fn d<A: Into<crate::model::message::Arg>>(
    code: &'static str,
    message: Code,
    args: impl IntoIterator<Item = A>,
) -> Diagnostic {
    Diagnostic {
        code,
        message: Message::new(message, args),
    }
}

/// NM device states on the way up or down (see `nm::device_state_name`).
fn in_transition(state: &str) -> bool {
    matches!(
        state,
        "preparing"
            | "configuring"
            | "needs authentication"
            | "getting IP configuration"
            | "checking IP connectivity"
            | "waiting for secondaries"
            | "deactivating"
    )
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
        out.push(d(
            "lacp_no_partner",
            Code::LacpNoPartner,
            [k.name.as_str(), ZERO_MAC],
        ));
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
            let active = k.ad_info.as_ref().map_or(ids[0], |a| a.aggregator);
            out.push(d(
                "split_aggregators",
                Code::SplitAggregators,
                [list, active.to_string()],
            ));
        }
    }
    // While NM is still bringing the bond up, its ports are on their way: not a finding.
    let settling = nm.is_some_and(|n| {
        n.bond_state.as_deref().is_some_and(in_transition)
            || n.port_states.iter().any(|(_, st)| in_transition(st))
    });
    match (k.ports.len(), up.len()) {
        _ if settling => {}
        (0, _) => out.push(d("no_ports", Code::BondHasNoPorts, [&k.name])),
        (_, 0) => out.push(d(
            "no_port_up",
            Code::NoPortUp,
            [k.name.clone(), down.join(", ")],
        )),
        (1, 1) => out.push(d(
            "no_redundancy",
            Code::SinglePort,
            [k.name.as_str(), up[0]],
        )),
        (_, 1) => out.push(d(
            "no_redundancy",
            Code::OnlyOneUp,
            [up[0].to_string(), down.join(", ")],
        )),
        _ => {}
    }
    if k.miimon == 0 && k.arp_interval == 0 {
        out.push(d("no_link_monitoring", Code::WatchesNoLinks, [&k.name]));
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
        out.push(d(
            "layer2_behind_gateway",
            Code::Layer2BehindGateway,
            [&k.name],
        ));
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
        out.push(d("speed_mismatch", Code::SpeedMismatch, [list]));
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
        out.push(d("duplex_mismatch", Code::DuplexMismatch, [list]));
    }
    if let Some(nm) = nm {
        let nm_up = nm.bond_state.as_deref() == Some("activated");
        // While NM brings the bond up or down, the kernel is ahead of it: no mismatch yet.
        let settled = !nm.bond_state.as_deref().is_some_and(in_transition);
        if settled && nm_up != k.oper_up {
            let code = if nm_up {
                Code::NmUpKernelDown
            } else {
                Code::NmDownKernelUp
            };
            out.push(d("nm_kernel_mismatch", code, [&k.name]));
        }
        for p in &k.ports {
            if let Some((_, st)) = nm.port_states.iter().find(|(n, _)| *n == p.name) {
                if st != "activated" && !in_transition(st) {
                    out.push(d(
                        "nm_kernel_mismatch",
                        Code::PortNotManaged,
                        [&p.name, &k.name, st],
                    ));
                }
            }
        }
    }
    out
}

/// How long NM and the kernel may disagree before it is a finding: they report the same
/// change through different channels (a netlink event, a D-Bus signal), moments apart.
pub const MISMATCH_GRACE: Duration = Duration::from_secs(3);

/// [`diagnose`] for a live view. Findings that compare NM with the kernel are held back
/// until they have lasted [`MISMATCH_GRACE`], so a bond that NM is bringing up is never
/// reported as "changed outside NetworkManager"; and a bond that appears while it is
/// watched gets the same grace for its ports to join before "no ports" is said.
#[derive(Debug, Default)]
pub struct LiveDiagnoser {
    mismatch_since: Option<Instant>,
    /// Whether the last reading had the bond; `None` before the first.
    present: Option<bool>,
    appeared: Option<Instant>,
}

/// Findings about ports that a bond which has just appeared is still gaining.
const WHILE_JOINING: &[&str] = &["no_ports", "no_port_up", "no_redundancy"];

impl LiveDiagnoser {
    /// The kernel has no such bond (now).
    pub fn absent(&mut self) {
        self.present = Some(false);
        self.appeared = None;
        self.mismatch_since = None;
    }

    /// The findings at `now`, and when to look again (re-reading NM's side) if any are
    /// being held back.
    pub fn diagnose(
        &mut self,
        k: &KernelBond,
        nm: &NmView,
        now: Instant,
    ) -> (Vec<Diagnostic>, Option<Instant>) {
        if self.present == Some(false) {
            self.appeared = Some(now);
        }
        self.present = Some(true);
        let all = diagnose(k, Some(nm));
        let mut recheck: Option<Instant> = None;
        let mut hold = |until: Instant| {
            recheck = Some(recheck.map_or(until, |r| r.min(until)));
        };
        let joining = self
            .appeared
            .map(|t| t + MISMATCH_GRACE)
            .filter(|until| now < *until);
        if joining.is_none() {
            self.appeared = None;
        }
        let mismatch = all.iter().any(|d| d.code == "nm_kernel_mismatch");
        if !mismatch {
            self.mismatch_since = None;
        }
        let mismatch_until = mismatch
            .then(|| *self.mismatch_since.get_or_insert(now) + MISMATCH_GRACE)
            .filter(|until| now < *until);
        let shown = all
            .into_iter()
            .filter(|d| {
                if d.code == "nm_kernel_mismatch" {
                    if let Some(until) = mismatch_until {
                        hold(until);
                        return false;
                    }
                }
                if WHILE_JOINING.contains(&d.code) {
                    if let Some(until) = joining {
                        hold(until);
                        return false;
                    }
                }
                true
            })
            .collect();
        (shown, recheck)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::fixtures::{self, port};
    use crate::kernel::state::KernelPort;

    fn lacp_bond(partner: &str, ports: Vec<KernelPort>) -> KernelBond {
        fixtures::lacp_bond("bond0", partner, ports)
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
        assert!(d[0]
            .message
            .to_string()
            .starts_with("The switch is not speaking LACP"));
        assert!(d[1].message.to_string().contains("eno1 in 1, eno2 in 2"));
    }

    #[test]
    fn redundancy_monitoring_hashing_and_mismatches() {
        let mut b = lacp_bond(
            "52:54:00:bb:00:01",
            vec![port("eno1", "down", 1, 10000), port("eno2", "up", 1, 1000)],
        );
        assert_eq!(
            diagnose(&b, None)[0].message.to_string(),
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
        // On the way up, the kernel runs ahead of NM: that is no mismatch.
        let nm = NmView {
            bond_state: Some("getting IP configuration".into()),
            port_states: vec![("eno1".into(), "configuring".into())],
            ..nm
        };
        assert!(!codes(&diagnose(&b, Some(&nm))).contains(&"nm_kernel_mismatch"));
    }

    #[test]
    fn a_live_view_holds_a_mismatch_back_until_it_lasts() {
        let b = lacp_bond(
            "52:54:00:bb:00:01",
            vec![port("eno1", "up", 1, 10000), port("eno2", "up", 1, 10000)],
        );
        // The kernel has the bond up; NM's last word is still "disconnected".
        let stale = NmView {
            bond_state: Some("disconnected".into()),
            port_states: vec![],
            has_gateway: false,
        };
        let mut live = LiveDiagnoser::default();
        let t0 = Instant::now();
        let (d, recheck) = live.diagnose(&b, &stale, t0);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(recheck, Some(t0 + MISMATCH_GRACE));
        // NM catches up: nothing to say, and nothing held.
        let fresh = NmView {
            bond_state: Some("activated".into()),
            ..stale.clone()
        };
        let (d, recheck) = live.diagnose(&b, &fresh, t0 + Duration::from_secs(1));
        assert!(d.is_empty() && recheck.is_none());
        // A mismatch that lasts is reported once the grace has passed.
        let (_, recheck) = live.diagnose(&b, &stale, t0 + Duration::from_secs(2));
        assert!(recheck.is_some());
        let (d, recheck) = live.diagnose(&b, &stale, t0 + Duration::from_secs(6));
        assert_eq!(codes(&d), ["nm_kernel_mismatch"]);
        assert!(recheck.is_none());
    }

    #[test]
    fn a_bond_that_appears_gets_time_for_its_ports_to_join() {
        let empty = lacp_bond("52:54:00:bb:00:01", vec![]);
        let nm = NmView {
            bond_state: Some("activated".into()),
            ..NmView::default()
        };
        let t0 = Instant::now();
        // Watched from before it existed: "no ports" waits for the grace.
        let mut live = LiveDiagnoser::default();
        live.absent();
        let (d, recheck) = live.diagnose(&empty, &nm, t0);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(recheck, Some(t0 + MISMATCH_GRACE));
        let (d, _) = live.diagnose(&empty, &nm, t0 + MISMATCH_GRACE);
        assert_eq!(codes(&d), ["no_ports"]);
        // Already there when the watch began: said at once.
        let mut live = LiveDiagnoser::default();
        let (d, recheck) = live.diagnose(&empty, &nm, t0);
        assert_eq!(codes(&d), ["no_ports"]);
        assert!(recheck.is_none());
    }
}
