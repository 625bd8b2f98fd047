//! The failover test: what the bonding article does by hand with `ping` and
//! `ip link set eno1 down`, measured on one clock and made safe by a dead-man checkpoint.
//! [`engine::run`] drives it and streams [`TestEvent`]s; the CLI and the GUI only render
//! them and the [`Report`] it ends with.

pub mod engine;
pub mod history;
pub mod outage;
pub mod report;
pub mod timeline;
pub mod verdict;
mod watch;

use crate::model::{Code, Message};
use crate::nm::NmError;
use crate::probe::{KindChoice, ProbeEvent, DEFAULT_INTERVAL_MS, DEFAULT_TCP_PORT};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Duration;

pub use engine::run;
pub use report::{Details, Report, TestRecord};
pub use timeline::{Mark, MarkKind, Timeline};

/// How the test takes the port down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// NM `Device.Disconnect` (polkit `network-control`, no root).
    Disconnect,
    /// Netlink link down on the port (CAP_NET_ADMIN).
    LinkDown,
    /// The user pulls the cable when asked.
    Cable,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Disconnect, Method::LinkDown, Method::Cable];

    pub fn name(self) -> &'static str {
        match self {
            Method::Disconnect => "disconnect",
            Method::LinkDown => "link-down",
            Method::Cable => "cable",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s)
    }

    /// What a test with this method proves.
    pub fn proves(self) -> Message {
        let code = match self {
            Method::Disconnect => Code::MethodDisconnect,
            Method::LinkDown => Code::MethodLinkDown,
            Method::Cable => Code::MethodCable,
        };
        Message::new::<&str>(code, [])
    }
}

#[derive(Debug, Clone)]
pub struct TestRequest {
    pub bond: String,
    /// Where to probe; the bond's gateway when `None`.
    pub target: Option<IpAddr>,
    pub interval: Duration,
    pub method: Method,
    pub kind: KindChoice,
    pub tcp_port: u16,
    /// How long to wait for the user to pull (and to plug back) a cable.
    pub cable_timeout: Duration,
}

impl TestRequest {
    pub fn new(bond: &str) -> TestRequest {
        TestRequest {
            bond: bond.to_string(),
            target: None,
            interval: Duration::from_millis(DEFAULT_INTERVAL_MS),
            method: Method::Disconnect,
            kind: KindChoice::Auto,
            tcp_port: DEFAULT_TCP_PORT,
            cable_timeout: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Precheck,
    Baseline,
    Trigger,
    Observe,
    Restore,
    Failback,
    Done,
}

/// Something the user must do now (the cable method).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", content = "port", rename_all = "snake_case")]
pub enum Action {
    Unplug(String),
    Plug(String),
}

impl Action {
    pub fn message(&self) -> Message {
        match self {
            Action::Unplug(p) => Message::new(Code::ActionUnplug, [p]),
            Action::Plug(p) => Message::new(Code::ActionPlug, [p]),
        }
    }
}

/// What the engine streams while it runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TestEvent {
    /// A new phase; `port` is the port under test once it is known.
    Phase {
        phase: Phase,
        port: Option<String>,
    },
    Probe(ProbeEvent),
    Mark(Mark),
    Action(Action),
    /// Something to tell the user (a fallback, a warning).
    Note(Message),
}

/// Why a test did not run or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// The precheck said no, or the request is invalid; nothing was changed.
    #[error("{0}")]
    Refused(Message),
    #[error("{}", .0.message())]
    Nm(NmError),
    #[error("{0}")]
    NotFound(String),
}

impl TestError {
    /// bondctl's exit code: 2 refused or invalid, 3 NM failed, 4 not found.
    pub fn exit_code(&self) -> i32 {
        match self {
            TestError::Refused(_) => 2,
            TestError::Nm(_) => 3,
            TestError::NotFound(_) => 4,
        }
    }
}

impl From<NmError> for TestError {
    fn from(e: NmError) -> TestError {
        match e {
            NmError::NotFound(m) => TestError::NotFound(m),
            other => TestError::Nm(other),
        }
    }
}
