//! How each bond option is spelled outside NetworkManager: its name in nmstate 2.x and its
//! key in systemd-networkd, or that the format cannot express it. Read through
//! [`OptionSpec::nmstate`](super::OptionSpec) and [`OptionSpec::networkd`]; exports, imports
//! and the draft checker all use these, so a format's vocabulary lives here only.

use serde::Serialize;

/// How a networkd key writes the NM value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkdValue {
    /// The same word or number.
    Plain,
    /// A time span; NM holds milliseconds, networkd wants a unit (`100ms`): a bare number
    /// there means seconds.
    Millis,
    /// A time span NM holds in seconds.
    Seconds,
    /// NM's 0/1 as networkd's no/yes.
    Bool,
    /// NM's comma-separated addresses as a space-separated list.
    SpaceList,
    /// Not in `[Bond]`: `PrimarySlave=yes` in that port's `.network`.
    PortFlag,
}

/// An option's key in systemd-networkd's `.netdev` `[Bond]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NetworkdKey {
    pub key: &'static str,
    pub value: NetworkdValue,
    /// The first systemd that knows the key.
    pub since: u16,
    /// For choices: the values networkd takes, where it takes fewer than NM.
    pub choices: Option<&'static [&'static str]>,
}

/// The systemd that Debian 12 ships: exports write only keys it knows by default.
pub const SYSTEMD_BASELINE: u16 = 252;

const fn nd(key: &'static str, value: NetworkdValue) -> Option<NetworkdKey> {
    Some(NetworkdKey {
        key,
        value,
        since: 209,
        choices: None,
    })
}

const fn nd_since(key: &'static str, value: NetworkdValue, since: u16) -> Option<NetworkdKey> {
    Some(NetworkdKey {
        key,
        value,
        since,
        choices: None,
    })
}

const fn nd_only(key: &'static str, choices: &'static [&'static str]) -> Option<NetworkdKey> {
    Some(NetworkdKey {
        key,
        value: NetworkdValue::Plain,
        since: 209,
        choices: Some(choices),
    })
}

use NetworkdValue::*;

/// `(NM name, nmstate name, networkd key)`; `None` means the format has no way to say it.
const TABLE: &[(&str, Option<&str>, Option<NetworkdKey>)] = &[
    ("mode", Some("mode"), nd("Mode", Plain)),
    ("miimon", Some("miimon"), nd("MIIMonitorSec", Millis)),
    ("updelay", Some("updelay"), nd("UpDelaySec", Millis)),
    ("downdelay", Some("downdelay"), nd("DownDelaySec", Millis)),
    ("use_carrier", Some("use_carrier"), None),
    (
        "arp_interval",
        Some("arp_interval"),
        nd("ARPIntervalSec", Millis),
    ),
    (
        "arp_ip_target",
        Some("arp_ip_target"),
        nd("ARPIPTargets", SpaceList),
    ),
    (
        "arp_validate",
        Some("arp_validate"),
        nd_only("ARPValidate", &["none", "active", "backup", "all"]),
    ),
    (
        "arp_all_targets",
        Some("arp_all_targets"),
        nd("ARPAllTargets", Plain),
    ),
    (
        "arp_missed_max",
        Some("arp_missed_max"),
        nd_since("ARPMissedMax", Plain, 256),
    ),
    ("ns_ip6_target", Some("ns_ip6_target"), None),
    ("primary", Some("primary"), nd("PrimarySlave", PortFlag)),
    (
        "primary_reselect",
        Some("primary_reselect"),
        nd("PrimaryReselectPolicy", Plain),
    ),
    (
        "fail_over_mac",
        Some("fail_over_mac"),
        nd("FailOverMACPolicy", Plain),
    ),
    ("active_slave", None, None),
    (
        "lacp_rate",
        Some("lacp_rate"),
        nd("LACPTransmitRate", Plain),
    ),
    ("lacp_active", Some("lacp_active"), None),
    ("ad_select", Some("ad_select"), nd("AdSelect", Plain)),
    (
        "ad_actor_sys_prio",
        Some("ad_actor_sys_prio"),
        nd("AdActorSystemPriority", Plain),
    ),
    (
        "ad_actor_system",
        Some("ad_actor_system"),
        nd("AdActorSystem", Plain),
    ),
    (
        "ad_user_port_key",
        Some("ad_user_port_key"),
        nd("AdUserPortKey", Plain),
    ),
    (
        "xmit_hash_policy",
        Some("xmit_hash_policy"),
        nd_only(
            "TransmitHashPolicy",
            &["layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4"],
        ),
    ),
    (
        "packets_per_slave",
        Some("packets_per_slave"),
        nd("PacketsPerSlave", Plain),
    ),
    (
        "tlb_dynamic_lb",
        Some("tlb_dynamic_lb"),
        nd("DynamicTransmitLoadBalancing", Bool),
    ),
    (
        "lp_interval",
        Some("lp_interval"),
        nd("LearnPacketIntervalSec", Seconds),
    ),
    ("balance-slb", Some("balance_slb"), None),
    (
        "all_slaves_active",
        Some("all_slaves_active"),
        nd("AllSlavesActive", Bool),
    ),
    ("min_links", Some("min_links"), nd("MinLinks", Plain)),
    ("resend_igmp", Some("resend_igmp"), nd("ResendIGMP", Plain)),
    (
        "num_grat_arp",
        Some("num_grat_arp"),
        nd("GratuitousARP", Plain),
    ),
    // NM keeps the two equal; networkd's one key sets both.
    (
        "num_unsol_na",
        Some("num_unsol_na"),
        nd("GratuitousARP", Plain),
    ),
    (
        "peer_notif_delay",
        None,
        nd_since("PeerNotifyDelaySec", Millis, 256),
    ),
];

const fn row(name: &str) -> usize {
    let mut i = 0;
    while i < TABLE.len() {
        if super::options::str_eq(TABLE[i].0, name) {
            return i;
        }
        i += 1;
    }
    panic!("an option without a row in option_formats::TABLE")
}

/// The option's name in nmstate's `link-aggregation` (`mode` is its own key there).
pub const fn nmstate_name(name: &str) -> Option<&'static str> {
    TABLE[row(name)].1
}

/// The option's key in systemd-networkd.
pub const fn networkd_key(name: &str) -> Option<NetworkdKey> {
    TABLE[row(name)].2
}

/// Every networkd `[Bond]` key and port key this table knows, with the NM option behind it.
pub fn networkd_keys() -> impl Iterator<Item = (&'static str, NetworkdKey)> {
    TABLE
        .iter()
        .filter_map(|(n, _, k)| k.map(|k| (*n, k)))
        // num_unsol_na shares num_grat_arp's key: one NM option per key when reading.
        .filter(|(n, _)| *n != "num_unsol_na")
}

/// Every nmstate option name, with the NM option behind it.
pub fn nmstate_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    TABLE
        .iter()
        .filter_map(|(n, s, _)| s.map(|s| (*n, s)))
        .filter(|(n, _)| *n != "mode")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::options::OPTIONS;

    #[test]
    fn every_option_has_a_row_and_every_row_an_option() {
        assert_eq!(TABLE.len(), OPTIONS.len());
        for o in OPTIONS {
            // row() panics for a missing option.
            let _ = row(o.name);
            assert_eq!(o.nmstate, nmstate_name(o.name), "{}", o.name);
        }
    }

    #[test]
    fn networkd_keys_are_unique_but_for_the_twins() {
        let keys: Vec<&str> = networkd_keys().map(|(_, k)| k.key).collect();
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[i + 1..].contains(k), "{k} twice");
        }
        assert_eq!(
            networkd_key("num_unsol_na").unwrap().key,
            networkd_key("num_grat_arp").unwrap().key
        );
    }
}
