//! Differential test: bondkit's validation against the real NetworkManager's verify() and
//! normalization. Hundreds of generated option sets are judged by both: NM's verdict comes
//! from an in-memory AddConnection2 that is read back and deleted. The verdicts must agree on
//! every set; where NM silently drops options, bondkit must have flagged exactly those.

mod support;

use bondkit::model::{check_options, OptionMap, ValueKind, OPTIONS};
use std::collections::BTreeSet;
use support::Testbed;

const SETS: usize = 400;

/// xorshift64*: deterministic, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn value_for(name: &str, rng: &mut Rng) -> String {
    let spec = bondkit::model::spec(name).expect("known option");
    let valid = rng.chance(90);
    match spec.kind {
        ValueKind::Int { min, max } => {
            if valid {
                match rng.below(5) {
                    0 => min.to_string(),
                    1 => max.to_string(),
                    2 => spec.default.to_string(),
                    _ => (min + rng.below(400) as u64).min(max).to_string(),
                }
            } else {
                let over = (max + 1).to_string();
                rng.pick(&[
                    over.as_str(),
                    "-1",
                    "",
                    "abc",
                    "1.5",
                    " 5",
                    "0x10",
                    "99999999999999999999",
                ])
                .to_string()
            }
        }
        ValueKind::Choice { values } => {
            if valid {
                if rng.chance(70) {
                    rng.pick(values).to_string()
                } else {
                    rng.below(values.len()).to_string()
                }
            } else {
                let past = values.len().to_string();
                rng.pick(&[past.as_str(), "bogus", "", "Fast", "-1"])
                    .to_string()
            }
        }
        ValueKind::Ipv4List => {
            let good = [
                "10.77.0.1",
                "10.77.0.1,10.77.0.2",
                "192.168.1.1, 192.168.1.2",
            ];
            let bad = ["", "10.77.0", "fd00::1", "10.77.0.1,,x", "256.1.1.1"];
            rng.pick(if valid { &good[..] } else { &bad[..] })
                .to_string()
        }
        ValueKind::Ipv6List => rng.pick(&["fd00::1", "fd00::1,fd00::2", "x"]).to_string(),
        ValueKind::IfName => {
            let good = ["p1", "eno1", "enp0s31f6"];
            let bad = ["a b", "", "averyveryverylongname", "a/b", "a:b", ".."];
            rng.pick(if valid { &good[..] } else { &bad[..] })
                .to_string()
        }
        ValueKind::Mac => {
            let good = [
                "00:11:22:33:44:55",
                "02:00:00:00:00:01",
                "00:00:00:00:00:00",
                "0:1:2:3:4:5",
            ];
            let bad = ["zz:11:22:33:44:55", "00:11:22:33:44", "", "001122334455"];
            rng.pick(if valid { &good[..] } else { &bad[..] })
                .to_string()
        }
    }
}

/// Pairs of options whose interplay NM's verify() judges.
const SCENARIOS: &[&[(&str, &str)]] = &[
    &[("miimon", "0"), ("updelay", "200")],
    &[("miimon", "0"), ("downdelay", "100")],
    &[("miimon", "100"), ("updelay", "200"), ("downdelay", "300")],
    &[("arp_interval", "100")],
    &[("arp_interval", "100"), ("arp_ip_target", "10.77.0.1")],
    &[("arp_interval", "0"), ("arp_ip_target", "10.77.0.1")],
    &[
        ("miimon", "100"),
        ("arp_interval", "100"),
        ("arp_ip_target", "10.77.0.1"),
    ],
    &[("miimon", "100"), ("peer_notif_delay", "150")],
    &[("miimon", "100"), ("peer_notif_delay", "300")],
    &[("miimon", "0"), ("peer_notif_delay", "100")],
    &[
        ("miimon", "50"),
        ("peer_notif_delay", "75"),
        ("arp_interval", "10"),
        ("arp_ip_target", "10.0.0.1"),
    ],
    &[("num_grat_arp", "3"), ("num_unsol_na", "3")],
    &[("num_grat_arp", "3"), ("num_unsol_na", "4")],
    &[("balance-slb", "1")],
    &[("balance-slb", "1"), ("xmit_hash_policy", "vlan+srcmac")],
    &[("balance-slb", "1"), ("xmit_hash_policy", "5")],
    &[("balance-slb", "1"), ("xmit_hash_policy", "layer3+4")],
    &[("balance-slb", "0"), ("xmit_hash_policy", "layer3+4")],
    &[("primary", "p1")],
    &[("active_slave", "p1")],
    &[("lacp_rate", "fast")],
    &[("lacp_rate", "slow")],
    &[("lacp_rate", "0")],
    &[("lacp_rate", "1")],
    &[("packets_per_slave", "5"), ("tlb_dynamic_lb", "0")],
    &[
        ("ad_actor_system", "02:00:00:00:00:01"),
        ("ad_user_port_key", "5"),
    ],
    &[("lacp_active", "on")],
    &[("arp_missed_max", "3")],
];

fn generate(rng: &mut Rng) -> OptionMap {
    let mut m = OptionMap::new();
    let mode_roll = rng.below(100);
    if mode_roll < 90 {
        let names = [
            "balance-rr",
            "active-backup",
            "balance-xor",
            "broadcast",
            "802.3ad",
            "balance-tlb",
            "balance-alb",
        ];
        let i = rng.below(7);
        m.insert(
            "mode".into(),
            if rng.chance(80) {
                names[i].to_string()
            } else {
                i.to_string()
            },
        );
    } else if mode_roll < 96 {
        m.insert(
            "mode".into(),
            rng.pick(&["lacp", "7", "", "Active-Backup", "-1"])
                .to_string(),
        );
    } // else: no mode at all
    if rng.chance(45) {
        for (k, v) in *rng.pick(SCENARIOS) {
            m.insert(k.to_string(), v.to_string());
        }
    }
    for _ in 0..rng.below(5) {
        let spec = rng.pick(OPTIONS);
        if spec.name == "mode"
            || (spec.since > bondkit::model::NmVersion::OLDEST && !rng.chance(15))
        {
            continue;
        }
        m.insert(spec.name.to_string(), value_for(spec.name, rng));
    }
    if rng.chance(3) {
        m.insert("miimom".into(), "100".into());
    }
    m
}

fn main() {
    let bed = Testbed::start("differential", &["d1"]);
    support::run_cases(&bed, cases![verdicts_agree_with_networkmanager]);
}

async fn verdicts_agree_with_networkmanager(bed: &Testbed) {
    let nm = bed.client().await;
    let version = nm.version();
    // BONDSMITH_DIFF_SEED / BONDSMITH_DIFF_SETS widen the search when hunting for new cases.
    let seed = std::env::var("BONDSMITH_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_b0d5_1234_5678);
    let sets = std::env::var("BONDSMITH_DIFF_SETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SETS);
    let mut rng = Rng(seed);
    let (mut accepted, mut rejected, mut with_drops) = (0, 0, 0);
    let mut disagreements = Vec::new();
    let mut seen = BTreeSet::new();
    let mut n = 0;
    while n < sets {
        let set = generate(&mut rng);
        if !seen.insert(format!("{set:?}")) {
            continue;
        }
        n += 1;
        let ours = check_options(&set, version);
        let theirs = nm.nm_verdict("bonddiff", &set).await;
        match (&theirs, ours.is_valid()) {
            (Ok(stored), true) => {
                accepted += 1;
                let dropped_by_nm: BTreeSet<&String> =
                    set.keys().filter(|k| !stored.contains_key(*k)).collect();
                let flagged: BTreeSet<&String> = ours.dropped.iter().map(|p| &p.option).collect();
                if !dropped_by_nm.is_empty() {
                    with_drops += 1;
                }
                if *stored != ours.normalized || dropped_by_nm != flagged {
                    disagreements.push(format!("{set:?}\n    NM stored  {stored:?}\n    we expect  {:?} (flagged drops {flagged:?})", ours.normalized));
                }
            }
            (Err(_), false) => rejected += 1,
            (Ok(stored), false) => disagreements.push(format!(
                "{set:?}\n    NM accepted it as {stored:?}\n    we rejected: {}",
                ours.errors[0].message
            )),
            (Err(msg), true) => disagreements.push(format!(
                "{set:?}\n    NM rejected: {msg}\n    we accepted it as {:?}",
                ours.normalized
            )),
        }
    }
    println!("{n} option sets judged by bondkit and by NetworkManager {version}: {accepted} accepted, {rejected} rejected, {with_drops} with options NM drops silently (each flagged)");
    assert!(
        accepted > 60 && rejected > 60,
        "the generator should exercise both verdicts"
    );
    assert!(
        with_drops > 20,
        "the generator should exercise silent drops"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n  {}",
        disagreements.len(),
        disagreements.join("\n  ")
    );
}
