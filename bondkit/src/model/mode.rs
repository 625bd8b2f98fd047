//! The seven kernel bonding modes, with NM's names, numeric indices and plain words.

use super::n_;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum BondMode {
    #[serde(rename = "balance-rr")]
    BalanceRr,
    #[serde(rename = "active-backup")]
    ActiveBackup,
    #[serde(rename = "balance-xor")]
    BalanceXor,
    #[serde(rename = "broadcast")]
    Broadcast,
    #[serde(rename = "802.3ad")]
    Ieee8023ad,
    #[serde(rename = "balance-tlb")]
    BalanceTlb,
    #[serde(rename = "balance-alb")]
    BalanceAlb,
}

impl BondMode {
    /// In kernel/NM index order (balance-rr is 0, balance-alb is 6).
    pub const ALL: [BondMode; 7] = [
        BondMode::BalanceRr,
        BondMode::ActiveBackup,
        BondMode::BalanceXor,
        BondMode::Broadcast,
        BondMode::Ieee8023ad,
        BondMode::BalanceTlb,
        BondMode::BalanceAlb,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BondMode::BalanceRr => "balance-rr",
            BondMode::ActiveBackup => "active-backup",
            BondMode::BalanceXor => "balance-xor",
            BondMode::Broadcast => "broadcast",
            BondMode::Ieee8023ad => "802.3ad",
            BondMode::BalanceTlb => "balance-tlb",
            BondMode::BalanceAlb => "balance-alb",
        }
    }

    pub fn index(self) -> u8 {
        self as u8
    }

    /// NM's parser: the mode name, or its index written in plain digits.
    pub fn parse(s: &str) -> Option<BondMode> {
        if let Some(m) = BondMode::ALL.iter().find(|m| m.name() == s) {
            return Some(*m);
        }
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            let n: u64 = s.parse().ok()?;
            return BondMode::ALL.get(usize::try_from(n).ok()?).copied();
        }
        None
    }

    /// A short title for lists and pickers.
    pub fn title(self) -> &'static str {
        match self {
            BondMode::BalanceRr => n_("Round-robin"),
            BondMode::ActiveBackup => n_("Active-backup"),
            BondMode::BalanceXor => n_("XOR balancing"),
            BondMode::Broadcast => n_("Broadcast"),
            BondMode::Ieee8023ad => n_("LACP (802.3ad)"),
            BondMode::BalanceTlb => n_("Adaptive transmit balancing"),
            BondMode::BalanceAlb => n_("Adaptive load balancing"),
        }
    }

    /// One plain sentence on what the mode is for and what it asks of the switch.
    pub fn summary(self) -> &'static str {
        match self {
            BondMode::BalanceRr => n_("Sends packets over each port in turn; reorders TCP, so only for back-to-back links you control."),
            BondMode::ActiveBackup => n_("Redundancy, no switch setup, the safe default: one port carries traffic and another takes over when it fails."),
            BondMode::BalanceXor => n_("Spreads flows over the ports by a hash; needs a static port-channel on the switch."),
            BondMode::Broadcast => n_("Sends every packet on every port; for special fault-tolerant setups only."),
            BondMode::Ieee8023ad => n_("Redundancy and more total bandwidth; needs LACP on the switch ports."),
            BondMode::BalanceTlb => n_("Balances outgoing traffic by port load, no switch setup; incoming traffic uses one port."),
            BondMode::BalanceAlb => n_("Balances traffic both ways without switch setup, by rewriting ARP replies."),
        }
    }

    /// Whether the switch ports must be configured for this mode to work.
    pub fn needs_switch_setup(self) -> bool {
        matches!(
            self,
            BondMode::BalanceRr | BondMode::BalanceXor | BondMode::Broadcast | BondMode::Ieee8023ad
        )
    }
}

impl fmt::Display for BondMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of modes, as a bit per mode index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeSet(u8);

impl ModeSet {
    pub const ALL: ModeSet = ModeSet(0x7f);

    pub const fn of(modes: &[BondMode]) -> ModeSet {
        let mut bits = 0u8;
        let mut i = 0;
        while i < modes.len() {
            bits |= 1 << modes[i] as u8;
            i += 1;
        }
        ModeSet(bits)
    }

    pub const fn all_but(modes: &[BondMode]) -> ModeSet {
        ModeSet(ModeSet::ALL.0 & !ModeSet::of(modes).0)
    }

    pub fn contains(self, mode: BondMode) -> bool {
        self.0 & (1 << mode as u8) != 0
    }

    pub fn is_all(self) -> bool {
        self == ModeSet::ALL
    }

    pub fn modes(self) -> impl Iterator<Item = BondMode> {
        BondMode::ALL.into_iter().filter(move |m| self.contains(*m))
    }

    /// "active-backup, balance-tlb or balance-alb"
    pub fn describe(self) -> String {
        let names: Vec<&str> = self.modes().map(BondMode::name).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => (*one).to_string(),
            [head @ .., last] => format!("{} or {}", head.join(", "), last),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_indices_like_nm() {
        assert_eq!(BondMode::parse("802.3ad"), Some(BondMode::Ieee8023ad));
        assert_eq!(BondMode::parse("4"), Some(BondMode::Ieee8023ad));
        assert_eq!(BondMode::parse("0"), Some(BondMode::BalanceRr));
        assert_eq!(BondMode::parse("7"), None);
        assert_eq!(BondMode::parse("lacp"), None);
        assert_eq!(BondMode::parse(""), None);
        for (i, m) in BondMode::ALL.iter().enumerate() {
            assert_eq!(m.index() as usize, i);
            assert_eq!(BondMode::parse(m.name()), Some(*m));
        }
    }

    #[test]
    fn mode_sets() {
        let s = ModeSet::of(&[
            BondMode::ActiveBackup,
            BondMode::BalanceTlb,
            BondMode::BalanceAlb,
        ]);
        assert!(s.contains(BondMode::ActiveBackup));
        assert!(!s.contains(BondMode::Ieee8023ad));
        assert_eq!(s.describe(), "active-backup, balance-tlb or balance-alb");
        assert_eq!(ModeSet::all_but(&[BondMode::Ieee8023ad]).modes().count(), 6);
        assert!(ModeSet::ALL.is_all());
    }
}
