//! The table of per-port settings (NetworkManager's `bond-port` setting on each port
//! profile) and their rules. Like the bond options in `options.rs`, this is the one place
//! that lists them: the form's port rows, `bondctl --port eno1:prio=10`, validation, the
//! version gates and the nmcli review all read it.

use super::message::{Code, Message};
use super::mode::{BondMode, BondMode::*, ModeSet};
use super::n_;
use super::validate::Problem;
use super::version::NmVersion;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct PortOptionSpec {
    /// The key after `bond-port.` in NM (and in `--port eno1:KEY=VALUE`).
    pub name: &'static str,
    pub min: i64,
    pub max: i64,
    /// What NM and the kernel use when it is not set.
    pub default: i64,
    /// The oldest NetworkManager that takes it.
    pub since: NmVersion,
    /// Modes in which the kernel uses it (it is kept, and ignored, in the others).
    #[serde(skip)]
    pub modes: ModeSet,
    pub label: &'static str,
    pub help: &'static str,
}

pub const PORT_OPTIONS: &[PortOptionSpec] = &[
    PortOptionSpec {
        name: "queue-id",
        min: 0,
        max: 65535,
        default: 0,
        // The bond-port setting came with NM 1.34; Bondsmith supports 1.42 and newer.
        since: NmVersion::OLDEST,
        modes: ModeSet::ALL,
        label: n_("Queue ID"),
        help: n_("The transmit queue this port's traffic is steered to (tc filters with skbedit queue_mapping); 0 means none."),
    },
    PortOptionSpec {
        name: "prio",
        min: i32::MIN as i64,
        max: i32::MAX as i64,
        default: 0,
        // NM 1.44, backported to 1.42.8 (not in Debian 12's 1.42.4).
        since: NmVersion::new(1, 42, 8),
        modes: ModeSet::of(&[ActiveBackup, BalanceTlb, BalanceAlb]),
        label: n_("Priority"),
        help: n_("Which port becomes active first: the highest priority among the ports with a link (kernel 6.0 or newer)."),
    },
];

pub fn port_spec(name: &str) -> Option<&'static PortOptionSpec> {
    PORT_OPTIONS.iter().find(|s| s.name == name)
}

/// One port's `bond-port` settings; `None` leaves NM's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PortSettings {
    #[serde(rename = "queue-id", skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prio: Option<i32>,
}

impl PortSettings {
    pub fn is_empty(&self) -> bool {
        self == &PortSettings::default()
    }

    pub fn get(&self, key: &str) -> Option<i64> {
        match key {
            "queue-id" => self.queue_id.map(i64::from),
            "prio" => self.prio.map(i64::from),
            _ => None,
        }
    }

    /// Sets `key` from text as a user typed it; `""` clears it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), Message> {
        let Some(spec) = port_spec(key) else {
            return Err(Message::new(Code::NotAPortSetting, [key]));
        };
        let value = value.trim();
        let range = || {
            Message::new(
                Code::IntRange,
                [
                    format!("bond-port.{key}"),
                    spec.min.to_string(),
                    spec.max.to_string(),
                    value.to_string(),
                ],
            )
        };
        let n = if value.is_empty() {
            None
        } else {
            let n: i64 = value.parse().map_err(|_| range())?;
            if !(spec.min..=spec.max).contains(&n) {
                return Err(range());
            }
            Some(n)
        };
        match key {
            "queue-id" => self.queue_id = n.map(|n| n as u32),
            _ => self.prio = n.map(|n| n as i32),
        }
        Ok(())
    }

    /// Parses `eno1:prio=10,queue-id=2` (or plain `eno1`) into the port and its settings.
    pub fn parse_port(text: &str) -> Result<(String, PortSettings), Message> {
        let (port, rest) = text.split_once(':').unwrap_or((text, ""));
        let mut s = PortSettings::default();
        for part in rest.split(',').filter(|p| !p.trim().is_empty()) {
            let Some((k, v)) = part.split_once('=') else {
                return Err(Message::new(Code::NotAssignment, [part]));
            };
            s.set(k.trim(), v)?;
        }
        Ok((port.trim().to_string(), s))
    }

    /// The keys that differ from `old` (a key cleared here goes back to NM's default).
    pub fn changed_from(&self, old: &PortSettings) -> PortSettings {
        let pick = |new: Option<i64>, old: Option<i64>, default: i64| {
            let (n, o) = (new.unwrap_or(default), old.unwrap_or(default));
            (n != o).then_some(n)
        };
        PortSettings {
            queue_id: pick(self.get("queue-id"), old.get("queue-id"), 0).map(|n| n as u32),
            prio: pick(self.get("prio"), old.get("prio"), 0).map(|n| n as i32),
        }
    }

    /// `bond-port.queue-id 2 bond-port.prio 10` as words, for the nmcli review.
    pub fn nmcli_args(&self) -> Vec<String> {
        PORT_OPTIONS
            .iter()
            .filter_map(|spec| {
                self.get(spec.name)
                    .map(|v| [format!("bond-port.{}", spec.name), v.to_string()])
            })
            .flatten()
            .collect()
    }

    /// NM's version gates and where the kernel ignores a setting, for port `port`.
    pub fn check(
        &self,
        port: &str,
        mode: Option<BondMode>,
        version: NmVersion,
        errors: &mut Vec<Problem>,
        warnings: &mut Vec<Problem>,
    ) {
        let field = format!("port:{port}");
        for spec in PORT_OPTIONS {
            if self.get(spec.name).is_none() {
                continue;
            }
            if version < spec.since {
                errors.push(Problem::coded(
                    &field,
                    Message::new(
                        Code::NeedsNewerNm,
                        [
                            format!("bond-port.{}", spec.name),
                            spec.since.to_string(),
                            version.to_string(),
                        ],
                    ),
                ));
            }
            if let Some(m) = mode.filter(|m| !spec.modes.contains(*m)) {
                warnings.push(Problem::coded(
                    &field,
                    Message::new(
                        Code::PortSettingIgnoredInMode,
                        [format!("bond-port.{}", spec.name), m.name().to_string()],
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_port_with_its_settings() {
        let (p, s) = PortSettings::parse_port("eno1:prio=10,queue-id=2").unwrap();
        assert_eq!(p, "eno1");
        assert_eq!(s.prio, Some(10));
        assert_eq!(s.queue_id, Some(2));
        assert_eq!(
            s.nmcli_args(),
            ["bond-port.queue-id", "2", "bond-port.prio", "10"]
        );
        let (p, s) = PortSettings::parse_port("eno2").unwrap();
        assert_eq!((p.as_str(), s.is_empty()), ("eno2", true));
        assert_eq!(
            PortSettings::parse_port("eno1:prio=-5").unwrap().1.prio,
            Some(-5)
        );
    }

    #[test]
    fn bad_port_settings_name_the_fix() {
        let e = PortSettings::parse_port("eno1:queue-id=70000").unwrap_err();
        assert_eq!(
            e.to_string(),
            "bond-port.queue-id must be a whole number from 0 to 65535; '70000' is not."
        );
        let e = PortSettings::parse_port("eno1:priority=3").unwrap_err();
        assert_eq!(e.code, Code::NotAPortSetting);
        assert!(e.to_string().contains("queue-id or prio"), "{e}");
        assert_eq!(
            PortSettings::parse_port("eno1:prio").unwrap_err().code,
            Code::NotAssignment
        );
    }

    #[test]
    fn prio_is_gated_by_version_and_mode() {
        let s = PortSettings {
            prio: Some(10),
            queue_id: None,
        };
        let (mut e, mut w) = (Vec::new(), Vec::new());
        s.check(
            "eno1",
            Some(ActiveBackup),
            NmVersion::new(1, 42, 4),
            &mut e,
            &mut w,
        );
        assert_eq!(e.len(), 1);
        assert_eq!(
            e[0].message,
            "bond-port.prio needs NetworkManager 1.42.8 or newer, and this system runs 1.42.4; remove it or upgrade NetworkManager."
        );
        assert!(w.is_empty());
        let (mut e, mut w) = (Vec::new(), Vec::new());
        s.check(
            "eno1",
            Some(Ieee8023ad),
            NmVersion::new(1, 46, 0),
            &mut e,
            &mut w,
        );
        assert!(e.is_empty());
        assert_eq!(w.len(), 1, "the kernel ignores prio in 802.3ad");
    }
}
