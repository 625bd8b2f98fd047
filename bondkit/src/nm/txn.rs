//! The checkpoint around every change: NM holds a short rollback timeout that Bondsmith
//! extends while it is alive, so a crash (or `kill -9`) rolls back within seconds, and a
//! pending change never outlives the time the user was promised. A live rollback keeps what
//! other tools did meanwhile.

use super::client::*;
use super::error::{from_dbus, NmError};
use super::proxies::*;
use super::settings::{self, get_str, NmSettings};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::{ObjectPath, OwnedObjectPath};

/// What NM holds: if Bondsmith stops extending it, NM rolls back after this long.
pub const ROLLBACK_SECS: u32 = 6;
/// How often a live Bondsmith extends it.
const KEEPALIVE: Duration = Duration::from_secs(2);

/// Things to undo by hand beside NM's own rollback: a checkpoint restores devices, but not
/// profiles that were never active.
#[derive(Default)]
pub(crate) struct Undo {
    pub created: Vec<OwnedObjectPath>,
    pub updated: Vec<(OwnedObjectPath, NmSettings, u32)>,
    pub deleted: Vec<(NmSettings, u32)>,
}

/// An open checkpoint and its keep-alive.
pub(crate) struct Txn {
    pub path: OwnedObjectPath,
    /// Device path → interface name, for the rollback report.
    devices: Vec<(String, String)>,
    /// Every profile's UUID when the checkpoint was taken.
    uuids_before: Vec<String>,
    /// After this moment the keep-alive stops, and NM rolls back on its own.
    deadline: Arc<Mutex<Option<Instant>>>,
    keepalive: tokio::task::JoinHandle<()>,
    pub undo: Undo,
}

impl Txn {
    /// From now on, NM rolls back by itself once `within` has passed (the keep dialog's
    /// countdown), even if Bondsmith is alive but stuck.
    pub fn expire_after(&self, within: Duration) {
        *self.deadline.lock().expect("deadline lock") = Some(Instant::now() + within);
    }

    fn stop(&self) {
        self.keepalive.abort();
    }
}

/// Why NM could not restore one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRollback {
    pub device: String,
    /// NMRollbackResult: 1 no such device, 2 unmanaged, 3 failed.
    pub result: u32,
}

/// What a rollback did, read from NM's answer rather than assumed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RollbackReport {
    /// Devices NM could not restore.
    pub failed: Vec<DeviceRollback>,
    /// Our own undo steps that failed, as sentences.
    pub errors: Vec<String>,
    /// Profiles other tools created during the change, kept (re-added after NM's rollback).
    pub kept_others: Vec<String>,
    /// NM had already rolled back on its own (the timeout ran out).
    pub already_done: bool,
}

impl RollbackReport {
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty() && self.errors.is_empty()
    }

    /// One sentence for people (English; the GUI builds its own from the fields).
    pub fn sentence(&self) -> String {
        let mut s = if self.is_clean() {
            "Everything was rolled back.".to_string()
        } else {
            let mut parts: Vec<String> = self
                .failed
                .iter()
                .map(|d| {
                    format!(
                        "{} ({})",
                        d.device,
                        match d.result {
                            1 => "the device no longer exists",
                            2 => "the device is no longer managed",
                            _ => "NetworkManager failed to restore it",
                        }
                    )
                })
                .collect();
            parts.extend(self.errors.iter().cloned());
            format!(
                "The rollback was incomplete: {}. Check these with 'nmcli connection show'.",
                parts.join("; ")
            )
        };
        if !self.kept_others.is_empty() {
            s.push_str(&format!(
                " Profiles other tools made meanwhile were kept: {}.",
                self.kept_others.join(", ")
            ));
        }
        s
    }
}

impl NmClient {
    /// Opens a checkpoint on `devices` with the short timeout and starts extending it.
    pub(crate) async fn begin(
        &self,
        devices: &[OwnedObjectPath],
        progress: Progress<'_>,
    ) -> Result<Txn> {
        progress("Creating a checkpoint so that NetworkManager can roll back");
        let uuids_before = self.profile_uuids().await?;
        let names: HashMap<String, String> = self
            .devices()
            .await?
            .into_iter()
            .map(|d| (d.path.to_string(), d.interface))
            .collect();
        let paths: Vec<ObjectPath<'_>> = devices.iter().map(|p| p.as_ref()).collect();
        // DELETE_NEW_CONNECTIONS is what makes NM remove a half-made bond by itself when
        // Bondsmith dies; a live rollback re-adds what other tools made meanwhile.
        let path = self
            .nm
            .checkpoint_create(&paths, ROLLBACK_SECS, CHECKPOINT_DELETE_NEW_CONNECTIONS)
            .await
            .map_err(|e| from_dbus(e, "create a checkpoint"))?;
        let deadline: Arc<Mutex<Option<Instant>>> = Arc::default();
        let keepalive = tokio::spawn(keep_alive(self.nm.clone(), path.clone(), deadline.clone()));
        Ok(Txn {
            path,
            devices: devices
                .iter()
                .map(|p| {
                    let n = names
                        .get(p.as_str())
                        .cloned()
                        .unwrap_or_else(|| p.to_string());
                    (p.to_string(), n)
                })
                .collect(),
            uuids_before,
            deadline,
            keepalive,
            undo: Undo::default(),
        })
    }

    async fn profile_uuids(&self) -> Result<Vec<String>> {
        Ok(self
            .all_profiles()
            .await?
            .iter()
            .filter_map(|(_, s, _)| get_str(s, "connection", "uuid"))
            .collect())
    }

    /// Keeps the change: the checkpoint goes. Fails if NM already rolled it back.
    pub(crate) async fn commit(&self, txn: Txn) -> Result<()> {
        txn.stop();
        self.nm.checkpoint_destroy(&txn.path).await.map_err(|e| {
            NmError::Refused(format!(
                "The change was not kept: NetworkManager had already rolled it back ({}). Apply it again.",
                from_dbus(e, "keep the change").message()
            ))
        })
    }

    /// Undoes everything: NM's checkpoint (device state), then our own log, keeping what
    /// other tools created in the meantime.
    pub(crate) async fn roll_back(&self, txn: Txn, progress: Progress<'_>) -> RollbackReport {
        progress("Rolling back");
        txn.stop();
        let mut report = RollbackReport::default();
        // Profiles made by others since the checkpoint: NM's rollback would delete them.
        let mut others: Vec<(NmSettings, u32, String)> = Vec::new();
        if let Ok(now) = self.all_profiles().await {
            for (path, s, flags) in now {
                let uuid = get_str(&s, "connection", "uuid").unwrap_or_default();
                if !txn.uuids_before.contains(&uuid) && !txn.undo.created.contains(&path) {
                    let mut s = s;
                    settings::prepare_for_update(&mut s);
                    let id = get_str(&s, "connection", "id").unwrap_or(uuid);
                    others.push((s, save_flag(flags), id));
                }
            }
        }
        match self.nm.checkpoint_rollback(&txn.path).await {
            Ok(results) => {
                for (dev, result) in results {
                    if result != 0 {
                        let name = txn
                            .devices
                            .iter()
                            .find(|(p, _)| *p == dev)
                            .map(|(_, n)| n.clone())
                            .unwrap_or(dev);
                        report.failed.push(DeviceRollback {
                            device: name,
                            result,
                        });
                    }
                }
            }
            // Gone: NM rolled back by itself when the timeout ran out.
            Err(_) => report.already_done = true,
        }
        for path in txn.undo.created.iter().rev() {
            if let Ok(c) = self.connection_proxy(path).await {
                // Usually already deleted by the rollback; a failure here means it is gone.
                let _ = c.delete().await;
            }
        }
        for (path, original, flags) in &txn.undo.updated {
            let restored = match self.connection_proxy(path).await {
                Ok(c) => c.update2(original, *flags, &HashMap::new()).await.is_ok(),
                Err(_) => false,
            };
            if !restored {
                let id = get_str(original, "connection", "id").unwrap_or_default();
                report
                    .errors
                    .push(format!("the profile {id} could not be restored"));
            }
        }
        for (original, flags) in &txn.undo.deleted {
            if self
                .settings
                .add_connection2(original, *flags, &HashMap::new())
                .await
                .is_err()
            {
                let id = get_str(original, "connection", "id").unwrap_or_default();
                report
                    .errors
                    .push(format!("the deleted profile {id} could not be re-added"));
            }
        }
        if !others.is_empty() {
            let present = self.profile_uuids().await.unwrap_or_default();
            for (s, flags, id) in others {
                let uuid = get_str(&s, "connection", "uuid").unwrap_or_default();
                if present.contains(&uuid) {
                    continue;
                }
                match self
                    .settings
                    .add_connection2(&s, flags, &HashMap::new())
                    .await
                {
                    Ok(_) => report.kept_others.push(id),
                    Err(_) => report.errors.push(format!(
                        "the profile {id}, made by another tool meanwhile, was lost"
                    )),
                }
            }
        }
        report
    }
}

/// The Update2/AddConnection2 flag that keeps a profile where it was (disk or memory).
pub(crate) fn save_flag(flags: u32) -> u32 {
    if in_memory(flags) {
        SAVE_IN_MEMORY
    } else {
        SAVE_TO_DISK
    }
}

async fn keep_alive(
    nm: NetworkManagerProxy<'static>,
    path: OwnedObjectPath,
    deadline: Arc<Mutex<Option<Instant>>>,
) {
    loop {
        tokio::time::sleep(KEEPALIVE).await;
        let add = match *deadline.lock().expect("deadline lock") {
            None => ROLLBACK_SECS,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    // Let NM's own timer fire; 0 would switch it off.
                    return;
                }
                (left.as_secs_f64().ceil() as u32).clamp(1, ROLLBACK_SECS)
            }
        };
        if nm
            .checkpoint_adjust_rollback_timeout(&path.as_ref(), add)
            .await
            .is_err()
        {
            return;
        }
    }
}
