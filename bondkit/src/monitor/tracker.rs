//! The monitor's memory: per bond, what was last said, and the coalescing that keeps a
//! flapping port from flooding the user. A change after a quiet spell is said at once (the
//! alert must come within a second); changes in the [`HOLD`] after an alert wait for its
//! end and are said together. A port that drops again within [`FLAP_WINDOW`] is flapping:
//! nothing more is said until it has been quiet for [`FLAP_QUIET`], then one summary (or
//! one every [`FLAP_REPEAT`] while it never settles).

use super::alert::{self, Alert, AlertKind};
use super::health::{health, Health, Level};
use crate::kernel::KernelBond;
use crate::model::message::{Code, Message};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant, SystemTime};

/// After an alert, further changes of the same bond wait this long.
pub const HOLD: Duration = Duration::from_secs(1);
/// A port that drops twice within this is flapping.
pub const FLAP_WINDOW: Duration = Duration::from_secs(5);
/// A flapping port is summed up once it has been quiet this long.
pub const FLAP_QUIET: Duration = Duration::from_secs(3);
/// A port that never stops flapping is summed up this often.
pub const FLAP_REPEAT: Duration = Duration::from_secs(60);
/// A bond that appears while the monitor runs has this long to gain its ports (and its
/// LACP partner) before anything short of redundancy is an alert.
pub const JOIN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug)]
struct Track {
    /// What the user was last told the bond is (or its first judged state); `None` while
    /// a new bond is still joining.
    told: Option<Health>,
    now: Health,
    /// The kernel event behind `now`.
    since: (Instant, SystemTime),
    join_until: Option<Instant>,
    hold_until: Option<Instant>,
    /// Each port's drops within the flap window, oldest first.
    drops: VecDeque<(Instant, String)>,
    flap: Option<Flap>,
}

#[derive(Debug)]
struct Flap {
    started: Instant,
    last_change: Instant,
    last_said: Instant,
    drops: u32,
    ports: BTreeSet<String>,
}

/// Feed it every reading of the kernel's bonds ([`Monitor::observe`]) and wake it at
/// [`Monitor::next_deadline`] ([`Monitor::tick`]); each returns the alerts to deliver.
#[derive(Debug, Default)]
pub struct Monitor {
    bonds: BTreeMap<String, Track>,
}

impl Monitor {
    /// The first reading: bonds already there are judged as they are, so a bond that runs
    /// on one port at login is said at once.
    pub fn start(&mut self, bonds: &[KernelBond], at: (Instant, SystemTime)) -> Vec<Alert> {
        let mut out = Vec::new();
        for k in bonds {
            let h = health(k);
            let mut t = Track::new(h.clone(), at, None);
            if !h.is_fine() {
                t.told = Some(all_up(&h));
                out.extend(t.say(&k.name, at.0));
            }
            self.bonds.insert(k.name.clone(), t);
        }
        out
    }

    /// A new reading after a kernel event read at `at`.
    pub fn observe(&mut self, bonds: &[KernelBond], at: (Instant, SystemTime)) -> Vec<Alert> {
        let now = at.0;
        self.bonds
            .retain(|name, _| bonds.iter().any(|k| &k.name == name));
        let mut out = Vec::new();
        for k in bonds {
            let h = health(k);
            let Some(t) = self.bonds.get_mut(&k.name) else {
                self.bonds
                    .insert(k.name.clone(), Track::new(h, at, Some(now + JOIN_GRACE)));
                continue;
            };
            if t.now == h {
                continue;
            }
            let newly_down: Vec<String> = h
                .down
                .iter()
                .filter(|p| !t.now.down.contains(p))
                .cloned()
                .collect();
            // Coming back from having no ports: a bond set up again, joining once more.
            if t.now.level == Level::Idle && h.level != Level::Idle {
                t.told = None;
                t.join_until = Some(now + JOIN_GRACE);
            }
            t.now = h;
            t.since = at;
            if t.told.is_none() {
                if t.now.is_fine() {
                    // Joined: from now on every change counts.
                    t.told = Some(t.now.clone());
                    t.join_until = None;
                }
                continue;
            }
            while t
                .drops
                .front()
                .is_some_and(|(d, _)| now.duration_since(*d) > FLAP_WINDOW)
            {
                t.drops.pop_front();
            }
            let again = newly_down
                .iter()
                .any(|p| t.drops.iter().any(|(_, q)| q == p));
            t.drops.extend(newly_down.iter().map(|p| (now, p.clone())));
            if t.flap.is_none() && again {
                let first = t.drops.front().map_or(now, |(d, _)| *d);
                t.flap = Some(Flap {
                    started: first,
                    last_change: now,
                    last_said: now,
                    drops: 0,
                    ports: BTreeSet::new(),
                });
                // Every drop in the window counts, the one said at once included.
                let f = t.flap.as_mut().expect("just set");
                f.drops = t.drops.len() as u32 - newly_down.len() as u32;
                f.ports.extend(t.drops.iter().map(|(_, p)| p.clone()));
            }
            if let Some(f) = t.flap.as_mut() {
                f.last_change = now;
                f.drops += newly_down.len() as u32;
                f.ports.extend(newly_down);
                t.hold_until = Some(now + FLAP_QUIET);
            } else if t.hold_until.is_none_or(|h| now >= h) {
                out.extend(t.say(&k.name, now));
            }
        }
        out
    }

    /// What is due at `now`: held-back changes, flap summaries, bonds done joining.
    pub fn tick(&mut self, now: Instant) -> Vec<Alert> {
        let mut out = Vec::new();
        for (name, t) in &mut self.bonds {
            if t.told.is_none() && t.join_until.is_some_and(|j| now >= j) {
                // Still not redundant after its grace: say how it is.
                t.join_until = None;
                t.told = Some(all_up(&t.now));
                out.extend(t.say(name, now));
                continue;
            }
            if t.hold_until.is_none_or(|h| now < h) {
                continue;
            }
            t.hold_until = None;
            if let Some(f) = &t.flap {
                let quiet = now.duration_since(f.last_change) >= FLAP_QUIET;
                if !quiet && now.duration_since(f.last_said) < FLAP_REPEAT {
                    t.hold_until = Some(f.last_change + FLAP_QUIET);
                    continue;
                }
                out.push(t.flap_summary(name, now, !quiet));
                continue;
            }
            out.extend(t.say(name, now));
        }
        out
    }

    /// When [`Monitor::tick`] has something to do; `None`: nothing until the next event.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.bonds
            .values()
            .flat_map(|t| [t.hold_until, t.join_until.filter(|_| t.told.is_none())])
            .flatten()
            .min()
    }
}

/// What a bond's alert is said against when nothing was told before (at start, or after
/// joining): every port of `h` up.
fn all_up(h: &Health) -> Health {
    Health {
        level: Level::Redundant,
        lacp: super::Lacp::Fine,
        up: h.up.iter().chain(&h.down).cloned().collect(),
        down: Vec::new(),
    }
}

impl Track {
    fn new(h: Health, at: (Instant, SystemTime), join_until: Option<Instant>) -> Track {
        let joining = join_until.is_some() && !h.is_fine();
        Track {
            told: (!joining).then(|| h.clone()),
            now: h,
            since: at,
            join_until: join_until.filter(|_| joining),
            hold_until: None,
            drops: VecDeque::new(),
            flap: None,
        }
    }

    /// The alert for going from what was told to now, if it says anything; opens a hold.
    fn say(&mut self, bond: &str, now: Instant) -> Option<Alert> {
        let before = self.told.replace(self.now.clone())?;
        let (kind, body) = alert::describe(bond, &before, &self.now)?;
        self.hold_until = Some(now + HOLD);
        Some(self.alert(bond, kind, body, now))
    }

    /// One alert for a whole flap: how often which port dropped, then how the bond is. A
    /// flap that goes on (`ongoing`) starts counting afresh; a settled one is over, and the
    /// port's next drop is said at once.
    fn flap_summary(&mut self, bond: &str, now: Instant, ongoing: bool) -> Alert {
        let f = self.flap.take().expect("a flap to sum up");
        let seconds = f
            .last_change
            .duration_since(f.started)
            .as_secs_f64()
            .ceil()
            .max(1.0);
        let ports: Vec<String> = f.ports.into_iter().collect();
        let mut body = vec![Message::new(
            Code::AlertFlapping,
            [
                bond.to_string(),
                ports.join(", "),
                f.drops.to_string(),
                format!("{seconds:.0}"),
            ],
        )];
        let before = self.told.replace(self.now.clone());
        if let Some((_, more)) = before.and_then(|b| alert::describe(bond, &b, &self.now)) {
            body.extend(more);
        } else if self.now.level == Level::Redundant {
            let list = self.now.up.join(", ");
            body.push(Message::new(Code::AlertRedundant, [bond.to_string(), list]));
        }
        if ongoing {
            self.flap = Some(Flap {
                started: now,
                last_change: f.last_change,
                last_said: now,
                drops: 0,
                ports: BTreeSet::new(),
            });
            self.hold_until = Some(now + FLAP_QUIET);
        } else {
            self.drops.clear();
            self.hold_until = Some(now + HOLD);
        }
        self.alert(bond, AlertKind::Flapping, body, now)
    }

    fn alert(&self, bond: &str, kind: AlertKind, body: Vec<Message>, now: Instant) -> Alert {
        let unix = self
            .since
            .1
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        Alert {
            bond: bond.to_string(),
            kind,
            severity: alert::severity(kind),
            title: alert::title(kind, bond),
            body,
            ports_up: self.now.up.clone(),
            ports_down: self.now.down.clone(),
            event_unix_ms: unix.as_millis() as u64,
            delay_ms: now.saturating_duration_since(self.since.0).as_millis() as u64,
        }
    }
}
