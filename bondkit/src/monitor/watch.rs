//! The monitor's loop: kernel link events in, alerts out. It sleeps in the kernel until a
//! link changes (or a held-back alert falls due): an idle monitor never wakes up.

use super::{Alert, Monitor};
use crate::kernel::{read_bonds, LinkEvents};
use std::io;
use std::time::{Instant, SystemTime};

/// Sends every alert to `tx` until it is closed. Bonds that are not redundant when it
/// starts are said at once. Fails only if the kernel cannot be asked at all.
pub async fn watch(tx: async_channel::Sender<Alert>) -> io::Result<()> {
    let events = LinkEvents::subscribe()?;
    let mut monitor = Monitor::default();
    let first = monitor.start(&read_bonds()?, (Instant::now(), SystemTime::now()));
    for a in first {
        if tx.send(a).await.is_err() {
            return Ok(());
        }
    }
    loop {
        let alerts = match monitor.next_deadline() {
            Some(due) => {
                tokio::select! {
                    ev = events.next() => match ev {
                        Some(ev) => reading(&mut monitor, &events, ev.at)?,
                        None => return Ok(()),
                    },
                    _ = tokio::time::sleep_until(due.into()) => monitor.tick(Instant::now()),
                }
            }
            None => match events.next().await {
                Some(ev) => reading(&mut monitor, &events, ev.at)?,
                None => return Ok(()),
            },
        };
        for a in alerts {
            if tx.send(a).await.is_err() {
                return Ok(());
            }
        }
    }
}

/// One reading covers every event already queued; it is dated by the first of them.
fn reading(monitor: &mut Monitor, events: &LinkEvents, at: Instant) -> io::Result<Vec<Alert>> {
    events.drain();
    let wall = SystemTime::now() - at.elapsed();
    let bonds = read_bonds()?;
    let mut out = monitor.tick(Instant::now());
    out.extend(monitor.observe(&bonds, (at, wall)));
    Ok(out)
}
