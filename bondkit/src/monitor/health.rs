//! What a bond's kernel state means for its redundancy, as the monitor compares it.

use crate::kernel::{diagnose, KernelBond};
use serde::Serialize;

/// How many of a bond's ports can carry its link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Every port has its link, or at least two do (a one-port bond with its port up too).
    Redundant,
    /// Of several ports, one has its link: one more failure and the bond is down.
    OnePortLeft,
    /// The bond has ports, and none has its link.
    Down,
    /// Nothing to judge: the bond has no ports (being set up or taken down by its owner).
    Idle,
}

/// The LACP side of an 802.3ad bond.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lacp {
    /// Not an 802.3ad bond, no port up, or the switch aggregates every port up.
    Fine,
    /// No LACP partner: the switch does not speak LACP (any more).
    NoPartner,
    /// The ports with a link are in different aggregators (`eno1 in 1, eno2 in 2`).
    Split(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub level: Level,
    pub lacp: Lacp,
    /// Ports with their link (MII up), and the others, in the kernel's order.
    pub up: Vec<String>,
    pub down: Vec<String>,
}

impl Health {
    /// Whether nothing about the bond calls for an alert.
    pub fn is_fine(&self) -> bool {
        matches!(self.level, Level::Redundant | Level::Idle) && self.lacp == Lacp::Fine
    }
}

/// The bond's redundancy now. LACP trouble is the live diagnosis's own finding, so the
/// bond page and the monitor never disagree about it.
pub fn health(k: &KernelBond) -> Health {
    let (up, down): (Vec<_>, Vec<_>) = k.ports.iter().partition(|p| p.mii == "up");
    let up: Vec<String> = up.into_iter().map(|p| p.name.clone()).collect();
    let down: Vec<String> = down.into_iter().map(|p| p.name.clone()).collect();
    let level = match (k.ports.len(), up.len()) {
        (0, _) => Level::Idle,
        (_, 0) => Level::Down,
        (n, 1) if n > 1 => Level::OnePortLeft,
        _ => Level::Redundant,
    };
    let mut lacp = Lacp::Fine;
    if k.mode == "802.3ad" && !up.is_empty() {
        for d in diagnose::diagnose(k, None) {
            match d.code {
                "lacp_no_partner" => lacp = Lacp::NoPartner,
                "split_aggregators" if lacp == Lacp::Fine => {
                    lacp = Lacp::Split(match d.message.args.first() {
                        Some(crate::model::message::Arg::Text(t)) => t.clone(),
                        _ => String::new(),
                    })
                }
                _ => {}
            }
        }
    }
    Health {
        level,
        lacp,
        up,
        down,
    }
}
