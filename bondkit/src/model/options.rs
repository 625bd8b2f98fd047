//! The one table of bond options. The GUI form, `bondctl`, validation and every exporter
//! read it; nothing else in Bondsmith lists bond options.

use super::mode::{BondMode, BondMode::*, ModeSet};
use super::n_;
use super::option_formats::{networkd_key, nmstate_name, NetworkdKey};
use super::version::NmVersion;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ValueKind {
    /// Decimal digits only, within the range.
    Int { min: u64, max: u64 },
    /// One of the names, or (as NM also takes) its index in plain digits.
    Choice { values: &'static [&'static str] },
    /// A comma-separated list of IPv4 addresses.
    Ipv4List,
    /// A comma-separated list of IPv6 addresses.
    Ipv6List,
    /// A kernel interface name.
    IfName,
    /// An Ethernet MAC address.
    Mac,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Mode,
    LinkMonitoring,
    Failover,
    Lacp,
    LoadBalancing,
    Other,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Mode => "Mode",
            Group::LinkMonitoring => "Link monitoring",
            Group::Failover => "Primary and failover",
            Group::Lacp => "LACP",
            Group::LoadBalancing => "Load balancing",
            Group::Other => "Other",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: ValueKind,
    /// What the kernel uses when the option is not set.
    pub default: &'static str,
    /// Modes in which NM keeps the option; in the others it silently removes it.
    #[serde(skip)]
    pub modes: ModeSet,
    /// The oldest NetworkManager that knows the option.
    pub since: NmVersion,
    pub group: Group,
    /// Shown up front in the form (the rest sit under "Advanced").
    pub common: bool,
    /// Unit for display, such as "ms".
    pub unit: Option<&'static str>,
    /// A short label for the form.
    pub label: &'static str,
    /// One plain sentence on what it does.
    pub help: &'static str,
    /// An older name NM still takes for the same thing.
    pub alias_of: Option<&'static str>,
    /// A running bond takes a change in place (NM `Device.Reapply`, no outage). Measured
    /// per option on Debian's 6.1 kernel with NM 1.42.4 in test bed B
    /// (`tests/vm_cases/reapply.rs`: reapply, then the kernel's value read from sysfs): NM
    /// refuses to reapply mode, lacp_rate, ad_select, ad_user_port_key, fail_over_mac,
    /// tlb_dynamic_lb and num_grat_arp (its twin num_unsol_na changes with it); the others
    /// reach the kernel. Options newer than NM 1.42 are not claimed, nor balance-slb (NM's
    /// own nftables rules, no kernel value to read back).
    pub live: bool,
    /// The name in nmstate's `link-aggregation.options`; `None`: nmstate cannot say it.
    pub nmstate: Option<&'static str>,
    /// The key in systemd-networkd; `None`: networkd cannot say it.
    pub networkd: Option<NetworkdKey>,
}

const NM_1_42: NmVersion = NmVersion::new(1, 42, 0);
const NM_1_44: NmVersion = NmVersion::new(1, 44, 0);
const G_MAXINT: u64 = i32::MAX as u64;

pub const MODE_NAMES: &[&str] = &[
    "balance-rr",
    "active-backup",
    "balance-xor",
    "broadcast",
    "802.3ad",
    "balance-tlb",
    "balance-alb",
];
const ARP_VALIDATE: &[&str] = &[
    "none",
    "active",
    "backup",
    "all",
    "filter",
    "filter_active",
    "filter_backup",
];
const XMIT_HASH: &[&str] = &[
    "layer2",
    "layer3+4",
    "layer2+3",
    "encap2+3",
    "encap3+4",
    "vlan+srcmac",
];

const PRIMARY_MODES: ModeSet = ModeSet::of(&[ActiveBackup, BalanceTlb, BalanceAlb]);
const ARP_MODES: ModeSet = ModeSet::all_but(&[Ieee8023ad, BalanceTlb, BalanceAlb]);
const LACP_ONLY: ModeSet = ModeSet::of(&[Ieee8023ad]);

const fn int(min: u64, max: u64) -> ValueKind {
    ValueKind::Int { min, max }
}

const fn choice(values: &'static [&'static str]) -> ValueKind {
    ValueKind::Choice { values }
}

macro_rules! opt {
    ($name:literal, $kind:expr, $default:literal, $modes:expr, $since:expr, $group:expr, $common:literal,
     $unit:expr, $label:expr, $help:expr) => {
        OptionSpec {
            name: $name,
            kind: $kind,
            default: $default,
            modes: $modes,
            since: $since,
            group: $group,
            common: $common,
            unit: $unit,
            label: $label,
            help: $help,
            alias_of: None,
            live: is_live($name),
            nmstate: nmstate_name($name),
            networkd: networkd_key($name),
        }
    };
}

/// The options a running bond takes in place; see [`OptionSpec::live`].
const LIVE: &[&str] = &[
    "miimon",
    "updelay",
    "downdelay",
    "use_carrier",
    "arp_interval",
    "arp_ip_target",
    "arp_validate",
    "arp_all_targets",
    "primary",
    "active_slave",
    "primary_reselect",
    "xmit_hash_policy",
    "packets_per_slave",
    "lp_interval",
    "all_slaves_active",
    "min_links",
    "resend_igmp",
    "peer_notif_delay",
    "ad_actor_sys_prio",
    "ad_actor_system",
];

/// `a == b` where a const fn needs it.
pub(super) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn is_live(name: &str) -> bool {
    let mut i = 0;
    while i < LIVE.len() {
        if str_eq(LIVE[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

const ALL: ModeSet = ModeSet::ALL;
const MS: Option<&str> = Some("ms");

/// Every option NetworkManager knows in `bond.options`, in the order a form shows them.
pub static OPTIONS: &[OptionSpec] = &[
    opt!("mode", choice(MODE_NAMES), "balance-rr", ALL, NM_1_42, Group::Mode, true, None,
         n_("Mode"), n_("How the bond spreads traffic over its ports and survives a failure.")),
    // Link monitoring
    opt!("miimon", int(0, G_MAXINT), "100", ALL, NM_1_42, Group::LinkMonitoring, true, MS,
         n_("Link check interval"), n_("How often the driver checks each port's carrier; 0 turns MII monitoring off.")),
    opt!("updelay", int(0, G_MAXINT), "0", ALL, NM_1_42, Group::LinkMonitoring, false, MS,
         n_("Up delay"), n_("Wait this long after a port's link comes back before using it (a multiple of miimon).")),
    opt!("downdelay", int(0, G_MAXINT), "0", ALL, NM_1_42, Group::LinkMonitoring, false, MS,
         n_("Down delay"), n_("Wait this long after a port's link fails before giving up on it (a multiple of miimon).")),
    opt!("use_carrier", int(0, 1), "1", ALL, NM_1_42, Group::LinkMonitoring, false, None,
         n_("Use carrier"), n_("1 reads link state from the driver's carrier; 0 uses the old MII ioctls.")),
    opt!("arp_interval", int(0, G_MAXINT), "0", ARP_MODES, NM_1_42, Group::LinkMonitoring, false, MS,
         n_("ARP check interval"), n_("Check each port by ARP probes to the targets this often; 0 turns ARP monitoring off.")),
    opt!("arp_ip_target", ValueKind::Ipv4List, "", ARP_MODES, NM_1_42, Group::LinkMonitoring, false, None,
         n_("ARP targets"), n_("IPv4 addresses to probe, separated by commas (up to 16).")),
    opt!("arp_validate", choice(ARP_VALIDATE), "none", ARP_MODES, NM_1_42, Group::LinkMonitoring, false, None,
         n_("ARP validation"), n_("Which ports must see valid ARP replies to count as up.")),
    opt!("arp_all_targets", choice(&["any", "all"]), "any", ALL, NM_1_42, Group::LinkMonitoring, false, None,
         n_("ARP targets needed"), n_("Whether any or all ARP targets must answer for a port to be up.")),
    opt!("arp_missed_max", int(0, 255), "2", ALL, NM_1_44, Group::LinkMonitoring, false, None,
         n_("Missed ARP probes"), n_("How many ARP checks may fail before a port is marked down.")),
    opt!("ns_ip6_target", ValueKind::Ipv6List, "", ARP_MODES, NM_1_44, Group::LinkMonitoring, false, None,
         n_("NS targets (IPv6)"), n_("IPv6 addresses to probe with neighbour solicitations, separated by commas.")),
    // Primary and failover
    opt!("primary", ValueKind::IfName, "", PRIMARY_MODES, NM_1_42, Group::Failover, true, None,
         n_("Primary port"), n_("The port to use whenever its link is up.")),
    opt!("primary_reselect", choice(&["always", "better", "failure"]), "always", ALL, NM_1_42, Group::Failover,
         false, None, n_("Return to primary"), n_("When the primary port comes back: always switch back, only if it is better, or only on failure.")),
    opt!("fail_over_mac", choice(&["none", "active", "follow"]), "none", ALL, NM_1_42, Group::Failover, false, None,
         n_("MAC on failover"), n_("Whether the bond's MAC follows the active port (needed by some virtual NICs).")),
    OptionSpec {
        alias_of: Some("primary"),
        ..opt!("active_slave", ValueKind::IfName, "", PRIMARY_MODES, NM_1_42, Group::Failover, false, None,
               n_("Active port (deprecated)"), n_("Deprecated alias of primary; use primary instead."))
    },
    // LACP
    opt!("lacp_rate", choice(&["slow", "fast"]), "slow", LACP_ONLY, NM_1_42, Group::Lacp, true, None,
         n_("LACP rate"), n_("How often the partner sends LACPDUs: every 30 s (slow) or every second (fast).")),
    opt!("lacp_active", choice(&["off", "on"]), "on", ALL, NM_1_44, Group::Lacp, false, None,
         n_("LACP active"), n_("Send LACPDUs on our own (on) or only answer the switch (off).")),
    opt!("ad_select", choice(&["stable", "bandwidth", "count"]), "stable", ALL, NM_1_42, Group::Lacp, false, None,
         n_("Aggregator selection"), n_("How the active aggregator is chosen when there are several.")),
    opt!("ad_actor_sys_prio", int(1, 65535), "65535", LACP_ONLY, NM_1_42, Group::Lacp, false, None,
         n_("System priority"), n_("LACP system priority sent to the switch.")),
    opt!("ad_actor_system", ValueKind::Mac, "00:00:00:00:00:00", LACP_ONLY, NM_1_42, Group::Lacp, false, None,
         n_("System MAC"), n_("LACP system id sent to the switch; all zeros uses the bond's MAC.")),
    opt!("ad_user_port_key", int(0, 1023), "0", LACP_ONLY, NM_1_42, Group::Lacp, false, None,
         n_("User port key"), n_("Upper bits of the LACP port key.")),
    // Load balancing
    opt!("xmit_hash_policy", choice(XMIT_HASH), "layer2", ALL, NM_1_42, Group::LoadBalancing, true, None,
         n_("Transmit hash"), n_("Which headers pick a port for each flow; layer2 sends everything through one gateway on one port.")),
    opt!("packets_per_slave", int(0, 65535), "1", ModeSet::of(&[BalanceRr]), NM_1_42, Group::LoadBalancing, false,
         None, n_("Packets per port"), n_("Packets sent on a port before moving to the next; 0 picks a port at random.")),
    opt!("tlb_dynamic_lb", int(0, 1), "1", ModeSet::of(&[BalanceTlb, BalanceAlb]), NM_1_42, Group::LoadBalancing,
         false, None, n_("Dynamic balancing"), n_("1 balances by current load; 0 balances by hash only.")),
    opt!("lp_interval", int(1, G_MAXINT), "1", ALL, NM_1_42, Group::LoadBalancing, false, Some("s"),
         n_("Learning packet interval"), n_("Seconds between learning packets sent to the switch for each peer.")),
    opt!("balance-slb", int(0, 1), "0", ALL, NM_1_42, Group::LoadBalancing, false, None,
         n_("Source load balancing"), n_("1 balances by source MAC and VLAN without switch setup (balance-xor only).")),
    // Other
    opt!("all_slaves_active", int(0, 1), "0", ALL, NM_1_42, Group::Other, false, None,
         n_("Accept on all ports"), n_("1 delivers frames received on inactive ports instead of dropping them.")),
    opt!("min_links", int(0, G_MAXINT), "0", ALL, NM_1_42, Group::Other, false, None,
         n_("Minimum links"), n_("Ports that must be up before the bond reports carrier.")),
    opt!("resend_igmp", int(0, 255), "1", ALL, NM_1_42, Group::Other, false, None,
         n_("IGMP reports"), n_("IGMP membership reports sent after a failover.")),
    opt!("num_grat_arp", int(0, 255), "1", ALL, NM_1_42, Group::Other, false, None,
         n_("Gratuitous ARPs"), n_("Peer notifications sent after a failover (same value as num_unsol_na).")),
    opt!("num_unsol_na", int(0, 255), "1", ALL, NM_1_42, Group::Other, false, None,
         n_("Unsolicited NAs"), n_("IPv6 neighbour advertisements sent after a failover (same value as num_grat_arp).")),
    opt!("peer_notif_delay", int(0, G_MAXINT), "0", ALL, NM_1_42, Group::Other, false, MS,
         n_("Notification delay"), n_("Delay between peer notifications after a failover (a multiple of miimon).")),
];

/// The table entry for an option name, if NM knows it.
pub fn spec(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

impl OptionSpec {
    /// Whether NM keeps this option in a profile of the given mode.
    pub fn kept_in(&self, mode: BondMode) -> bool {
        self.modes.contains(mode)
    }

    /// Whether the form should offer this option for the mode (kept there and not deprecated).
    pub fn offered_in(&self, mode: BondMode, version: NmVersion) -> bool {
        self.name != "mode"
            && self.alias_of.is_none()
            && self.kept_in(mode)
            && version >= self.since
            && applies_in(self.name, mode)
    }

    /// Names of the choices, for enum-like options.
    pub fn choices(&self) -> &'static [&'static str] {
        match self.kind {
            ValueKind::Choice { values } => values,
            _ => &[],
        }
    }

    /// The modes in which the option is kept, written out for a sentence.
    pub fn modes_text(&self) -> String {
        self.modes.describe()
    }
}

/// Options NM keeps in every mode but which only do something in some: the form hides them
/// elsewhere so it does not pretend they matter.
fn applies_in(name: &str, mode: BondMode) -> bool {
    match name {
        "xmit_hash_policy" => matches!(mode, BalanceXor | Ieee8023ad | BalanceTlb | BalanceAlb),
        "lacp_active" | "ad_select" => mode == Ieee8023ad,
        "balance-slb" => mode == BalanceXor,
        "primary_reselect" => PRIMARY_MODES.contains(mode),
        "fail_over_mac" => mode == ActiveBackup,
        "lp_interval" => matches!(mode, BalanceTlb | BalanceAlb),
        "arp_missed_max" | "arp_all_targets" => ARP_MODES.contains(mode),
        "all_slaves_active" => mode == ActiveBackup,
        "num_grat_arp" | "num_unsol_na" | "peer_notif_delay" => {
            matches!(mode, ActiveBackup | Ieee8023ad | BalanceTlb | BalanceAlb)
        }
        "resend_igmp" => matches!(mode, BalanceRr | ActiveBackup | BalanceTlb | BalanceAlb),
        "min_links" => mode == Ieee8023ad,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_option_of_nm_1_42_and_1_44() {
        let nm_142 = [
            "mode",
            "miimon",
            "downdelay",
            "updelay",
            "arp_interval",
            "arp_ip_target",
            "arp_validate",
            "balance-slb",
            "primary",
            "primary_reselect",
            "fail_over_mac",
            "use_carrier",
            "ad_select",
            "xmit_hash_policy",
            "resend_igmp",
            "lacp_rate",
            "active_slave",
            "ad_actor_sys_prio",
            "ad_actor_system",
            "ad_user_port_key",
            "all_slaves_active",
            "arp_all_targets",
            "min_links",
            "num_grat_arp",
            "num_unsol_na",
            "packets_per_slave",
            "tlb_dynamic_lb",
            "lp_interval",
            "peer_notif_delay",
        ];
        for name in nm_142 {
            let s = spec(name).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(s.since, NM_1_42, "{name}");
        }
        for name in ["arp_missed_max", "lacp_active", "ns_ip6_target"] {
            assert_eq!(spec(name).unwrap().since, NM_1_44, "{name}");
        }
        assert_eq!(OPTIONS.len(), nm_142.len() + 3);
    }

    #[test]
    fn names_are_unique_and_defaults_are_valid() {
        for (i, a) in OPTIONS.iter().enumerate() {
            assert!(
                OPTIONS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
            match a.kind {
                ValueKind::Int { min, max } => {
                    let d: u64 = a.default.parse().unwrap();
                    assert!(min <= d && d <= max, "{}", a.name);
                }
                ValueKind::Choice { values } => assert!(values.contains(&a.default), "{}", a.name),
                _ => {}
            }
        }
    }

    #[test]
    fn mode_scoping_matches_nm() {
        let lacp = spec("lacp_rate").unwrap();
        assert!(lacp.kept_in(Ieee8023ad) && !lacp.kept_in(ActiveBackup));
        let primary = spec("primary").unwrap();
        assert_eq!(
            primary.modes_text(),
            "active-backup, balance-tlb or balance-alb"
        );
        assert!(!spec("arp_interval").unwrap().kept_in(BalanceAlb));
        assert!(spec("packets_per_slave").unwrap().kept_in(BalanceRr));
        assert!(!spec("packets_per_slave").unwrap().kept_in(BalanceXor));
    }

    #[test]
    fn form_offers_only_what_fits() {
        let v = NmVersion::new(1, 42, 4);
        let offered = |m| {
            OPTIONS
                .iter()
                .filter(|o| o.offered_in(m, v))
                .map(|o| o.name)
                .collect::<Vec<_>>()
        };
        let ab = offered(ActiveBackup);
        assert!(
            ab.contains(&"primary")
                && !ab.contains(&"lacp_rate")
                && !ab.contains(&"xmit_hash_policy")
        );
        assert!(!ab.contains(&"active_slave") && !ab.contains(&"arp_missed_max"));
        let lacp = offered(Ieee8023ad);
        assert!(
            lacp.contains(&"lacp_rate")
                && lacp.contains(&"xmit_hash_policy")
                && !lacp.contains(&"primary")
        );
        assert!(!lacp.contains(&"lacp_active"));
        assert!(offered(Ieee8023ad).len() > 5);
        let newer = NmVersion::new(1, 46, 0);
        assert!(spec("lacp_active").unwrap().offered_in(Ieee8023ad, newer));
    }
}
