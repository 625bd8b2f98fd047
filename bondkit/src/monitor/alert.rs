//! One alert: what changed for which bond, in words the front ends render.

use super::health::{Health, Lacp, Level};
use crate::model::message::{Code, Message};
use serde::{Serialize, Serializer};

/// What an alert is about (stable names for scripts: `bondctl monitor --json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Down to one usable port (or back up to one, from none).
    OnePortLeft,
    /// No usable port left.
    Down,
    /// Every port (or at least two) carries the link again.
    Redundant,
    /// The LACP partner is gone, or the ports are split over aggregators.
    LacpTrouble,
    /// LACP aggregates the ports again.
    LacpBack,
    /// A port went down and up again and again; said once, when it settles.
    Flapping,
}

/// How loud a front end should be (GNotification's priorities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Normal,
    High,
    Urgent,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub bond: String,
    pub kind: AlertKind,
    pub severity: Severity,
    #[serde(serialize_with = "english")]
    pub title: Message,
    /// One or more sentences (a flapping port's summary, then the state it settled in).
    #[serde(serialize_with = "english_all", rename = "message")]
    pub body: Vec<Message>,
    pub ports_up: Vec<String>,
    pub ports_down: Vec<String>,
    /// When the kernel event that caused it was read, in ms since the Unix epoch.
    pub event_unix_ms: u64,
    /// From that event to this alert: the coalescing delay, if any, included.
    pub delay_ms: u64,
}

fn english<S: Serializer>(m: &Message, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_string())
}

fn english_all<S: Serializer>(m: &[Message], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&join(m, &|t| t.to_string()))
}

fn join(m: &[Message], translate: &dyn Fn(&'static str) -> String) -> String {
    m.iter()
        .map(|m| m.render(translate))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Alert {
    /// The body as one text, each template through `translate`.
    pub fn render_body(&self, translate: &dyn Fn(&'static str) -> String) -> String {
        join(&self.body, translate)
    }
}

/// What the body says about the state `now`, coming from `before`; `None` when there is
/// nothing to say (a bond that became idle, or a change within "fine").
pub(super) fn describe(
    bond: &str,
    before: &Health,
    now: &Health,
) -> Option<(AlertKind, Vec<Message>)> {
    let list = |v: &[String]| v.join(", ");
    let mut kind = None;
    let mut body = Vec::new();
    if before.level != now.level {
        match now.level {
            Level::OnePortLeft if before.level == Level::Down => {
                body.push(Message::new(Code::AlertBackOnOne, [bond, &now.up[0]]));
                kind = Some(AlertKind::OnePortLeft);
            }
            Level::OnePortLeft => {
                body.push(Message::new(
                    Code::AlertLostPort,
                    [bond.to_string(), list(&now.down)],
                ));
                kind = Some(AlertKind::OnePortLeft);
            }
            Level::Down => {
                body.push(Message::new(
                    Code::AlertLostLast,
                    [bond.to_string(), list(&now.down)],
                ));
                kind = Some(AlertKind::Down);
            }
            Level::Redundant if before.level != Level::Idle => {
                body.push(Message::new(
                    Code::AlertRedundant,
                    [bond.to_string(), list(&now.up)],
                ));
                kind = Some(AlertKind::Redundant);
            }
            Level::Redundant | Level::Idle => {}
        }
    } else if now.level == Level::OnePortLeft && before.up != now.up {
        // Still one port, but another one: the one that carried the link is gone.
        body.push(Message::new(
            Code::AlertLostPort,
            [bond.to_string(), list(&now.down)],
        ));
        kind = Some(AlertKind::OnePortLeft);
    }
    if before.lacp != now.lacp && now.level != Level::Idle {
        let m = match &now.lacp {
            Lacp::NoPartner => Message::new(Code::AlertLacpNoPartner, [bond]),
            Lacp::Split(list) => Message::new(Code::AlertLacpSplit, [bond, list.as_str()]),
            Lacp::Fine => Message::new(Code::AlertLacpBack, [bond]),
        };
        // With every port down, LACP has nothing to say: the level already said it all.
        if now.level != Level::Down {
            body.push(m);
            kind = kind.or(Some(if now.lacp == Lacp::Fine {
                AlertKind::LacpBack
            } else {
                AlertKind::LacpTrouble
            }));
        }
    }
    Some((kind?, body))
}

pub(super) fn title(kind: AlertKind, bond: &str) -> Message {
    let code = match kind {
        AlertKind::OnePortLeft => Code::AlertTitleOnePort,
        AlertKind::Down => Code::AlertTitleDown,
        AlertKind::Redundant | AlertKind::LacpBack => Code::AlertTitleRedundant,
        AlertKind::LacpTrouble => Code::AlertTitleLacp,
        AlertKind::Flapping => Code::AlertTitleFlapping,
    };
    Message::new(code, [bond])
}

pub(super) fn severity(kind: AlertKind) -> Severity {
    match kind {
        AlertKind::Down => Severity::Urgent,
        AlertKind::OnePortLeft | AlertKind::LacpTrouble | AlertKind::Flapping => Severity::High,
        AlertKind::Redundant | AlertKind::LacpBack => Severity::Normal,
    }
}
