//! Create, edit and delete bonds, each inside a checkpoint ([`super::txn`]). An edit starts
//! from the profile's own settings map and writes only the keys that change; a running bond
//! takes what it can in place (`Device.Reapply`) and is re-activated only for the rest.

use super::client::*;
use super::error::{from_dbus, NmError};
use super::proxies::*;
use super::settings::{self, NmSettings};
use super::txn::{save_flag, RollbackReport, Txn};
use crate::model::edit::profile_changes;
use crate::model::{ApplyPath, BondConfig, BondEdit, Code, Message};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use zbus::proxy::CacheProperties;
use zbus::zvariant::OwnedObjectPath;

/// An edit worked out against the profile as NM holds it: what it gives, what it writes,
/// how it reaches the running bond. The same plan feeds the apply and the nmcli review.
#[derive(Debug, Clone)]
pub struct EditPlan {
    pub bond: BondProfile,
    pub before: BondConfig,
    /// The configuration after the edit, options as NM will store them.
    pub after: BondConfig,
    pub changes: Vec<crate::model::Change>,
    pub path: ApplyPath,
    /// What the edit removes as a consequence, and NM's drops and warnings.
    pub notes: Vec<Message>,
    /// Profile names of the ports the edit removes.
    pub removed_port_ids: Vec<String>,
    /// What a new port profile names as its bond: the interface, or the UUID when two
    /// profiles share the interface.
    pub master: String,
}

impl EditPlan {
    /// The plan for `edit` on `bond` (`twins`: how many bond profiles share its interface),
    /// judged as a NetworkManager of `version` would. Needs no D-Bus: the GUI's review
    /// calls it on what it already holds.
    pub fn new(
        bond: BondProfile,
        twins: usize,
        edit: &BondEdit,
        version: crate::model::NmVersion,
        bring_up: bool,
    ) -> Result<EditPlan> {
        if bond.external {
            return Err(NmError::Invalid(format!(
                "{} was made outside NetworkManager (with ip link or a script); NetworkManager only shows it. Change it with the tool that made it, or delete it and create the bond here.",
                bond.name()
            )));
        }
        let before = bond.to_config();
        for p in &edit.remove_ports {
            if !before.ports.contains(p) {
                return Err(NmError::NotFound(
                    Message::new(
                        Code::NotAPortOfBond,
                        [p, &before.name, &before.ports.join(", ")],
                    )
                    .to_string(),
                ));
            }
        }
        for p in &edit.add_ports {
            if before.ports.contains(p) {
                return Err(NmError::Invalid(
                    Message::new(Code::AlreadyAPort, [p, &before.name]).to_string(),
                ));
            }
        }
        let (mut after, verdict) = edit.judge(&before, version);
        if let Some(p) = verdict.errors.first() {
            return Err(NmError::Invalid(p.message.clone()));
        }
        // Store the options as given unless NM would change them anyway.
        if !crate::model::edit::same_options(&after.options, &verdict.normalized) {
            after.options = verdict.normalized.clone();
        }
        let changes = profile_changes(&before, &after);
        let mut path = ApplyPath::decide(&before, &after, &changes, bond.active, bring_up);
        // NM reapplies an MTU within an existing ethernet setting only (measured: "Can't
        // reapply changes to '802-3-ethernet.s390-options'" when the setting is new).
        let new_setting = !bond.raw.contains_key("802-3-ethernet")
            && changes
                .iter()
                .any(|c| matches!(c, crate::model::Change::Mtu(_)));
        if path == ApplyPath::Reapply && new_setting {
            path = ApplyPath::Reactivate(vec![crate::model::Why::NewEthernetSetting]);
        }
        let mut notes = edit.consequences(&before);
        notes.extend(
            verdict
                .dropped
                .iter()
                .chain(&verdict.warnings)
                .filter_map(|p| p.code.clone()),
        );
        let removed_port_ids = bond
            .ports
            .iter()
            .filter(|p| edit.remove_ports.contains(&p.interface))
            .map(|p| p.id.clone())
            .collect();
        let master = if twins > 1 {
            bond.settings.uuid.clone()
        } else {
            bond.name().to_string()
        };
        Ok(EditPlan {
            bond,
            before,
            after,
            changes,
            path,
            notes,
            removed_port_ids,
            master,
        })
    }

    /// The nmcli commands that do the same, one per line.
    pub fn commands(&self) -> Vec<String> {
        crate::export::nmcli::edit_commands(self)
    }
}

impl NmClient {
    /// Creates `cfg` (bond plus one port profile per port) inside a checkpoint, activates it
    /// if asked, and keeps it. Any failure rolls everything back.
    pub async fn create_bond(
        &self,
        cfg: &BondConfig,
        opts: &ApplyOptions,
        progress: Progress<'_>,
    ) -> Result<ApplyReport> {
        let pending = self.create_bond_pending(cfg, opts, progress).await?;
        progress("Keeping the change");
        self.keep(pending).await
    }

    /// Like [`Self::create_bond`], but leaves the checkpoint open: the caller asks the user
    /// and then calls [`Self::keep`] or [`Self::undo`]. If nobody does within
    /// `opts.confirm_timeout`, NM rolls back by itself.
    pub async fn create_bond_pending(
        &self,
        cfg: &BondConfig,
        opts: &ApplyOptions,
        progress: Progress<'_>,
    ) -> Result<Pending> {
        let Some(a) = &opts.adopt else {
            return self.create_unmeasured(cfg, opts, progress).await;
        };
        // A take-over: the outage is measured against the gateway while it happens, and
        // the change is kept (pending) only if the gateway answers again.
        use crate::failover::outage::OutageMeter;
        let gateway = a.gateway.ok_or_else(|| {
            NmError::Invalid(format!(
                "{}'s connection has no gateway to check the take-over against; give the bond its own IP settings instead.",
                a.port
            ))
        })?;
        let meter = OutageMeter::start(gateway).map_err(|e| NmError::Invalid(e.to_string()))?;
        let mut pending = self.create_unmeasured(cfg, opts, progress).await?;
        progress(&format!(
            "Checking that the gateway {gateway} answers through {}",
            cfg.name
        ));
        let outage = meter.finish(Duration::from_secs(20)).await;
        if !outage.recovered {
            let undo = self.undo(pending, progress).await;
            return Err(NmError::Refused(format!(
                "The gateway {gateway} did not answer after {} joined {}, so everything was rolled back{}; check the switch ports of the bond.",
                a.port,
                cfg.name,
                if undo.is_clean() { "" } else { " (incompletely: check the profiles)" }
            )));
        }
        pending.report.outage = Some(outage);
        Ok(pending)
    }

    async fn create_unmeasured(
        &self,
        cfg: &BondConfig,
        opts: &ApplyOptions,
        progress: Progress<'_>,
    ) -> Result<Pending> {
        let verdict = cfg.check(self.version);
        if let Some(p) = verdict.errors.first() {
            return Err(NmError::Invalid(p.message.clone()));
        }
        let existing = self.list_bonds().await?;
        if existing
            .iter()
            .any(|b| b.settings.interface == cfg.name || b.settings.id == cfg.name)
        {
            return Err(NmError::Invalid(format!(
                "A bond named {0} already exists; pick another name, or change the existing one.",
                cfg.name
            )));
        }
        let ports = self.port_devices(&cfg.ports).await?;
        let mut report = ApplyReport::new(&cfg.name, "");
        for p in verdict.dropped.iter().chain(&verdict.warnings) {
            report.warnings.push(p.message.clone());
            report.notes.extend(p.code.clone());
        }
        for d in &ports {
            if d.default_route {
                report.note(Message::new(Code::PortCarriesDefaultRoute, [&d.interface]));
            } else if let Some(c) = &d.connection {
                report.note(Message::new(Code::PortCarriesProfile, [&d.interface, c]));
            }
        }
        let device_paths: Vec<OwnedObjectPath> = ports.iter().map(|d| d.path.clone()).collect();
        let mut txn = self.begin(&device_paths, progress).await?;
        let outcome = self
            .create_steps(
                cfg,
                &verdict.normalized,
                opts,
                &mut txn,
                &mut report,
                progress,
            )
            .await;
        self.pending_or_roll_back(outcome, txn, report, opts, progress)
            .await
    }

    async fn create_steps(
        &self,
        cfg: &BondConfig,
        options: &crate::model::OptionMap,
        opts: &ApplyOptions,
        txn: &mut Txn,
        report: &mut ApplyReport,
        progress: Progress<'_>,
    ) -> Result<()> {
        let mut flags = if opts.in_memory {
            SAVE_IN_MEMORY
        } else {
            SAVE_TO_DISK
        };
        if !opts.activate {
            flags |= BLOCK_AUTOCONNECT;
        }
        let uuid = uuid::Uuid::new_v4().to_string();
        progress(&format!("Adding the bond profile {}", cfg.name));
        let mut bond = settings::bond_settings(cfg, options, &uuid);
        if let Some(a) = &opts.adopt {
            a.overlay(&mut bond);
            // What the form or command line says on top (the same values, unless the
            // user changed some after choosing the take-over).
            settings::apply_changes(
                &mut bond,
                &crate::model::edit::creation_changes(cfg, options),
            );
            // The old profile must not win the port back at the next boot; a roll-back
            // restores it as it was.
            progress(&format!("Stopping {} from autoconnecting", a.profile));
            self.update_profile(&a.profile_path, &a.profile, txn, |s| {
                s.entry("connection".into())
                    .or_default()
                    .insert("autoconnect".into(), settings::ov(false));
            })
            .await?;
        }
        let bond_path = self
            .add(&bond, flags, &format!("create the bond {}", cfg.name), txn)
            .await?;
        report.uuid = uuid;
        for port in &cfg.ports {
            let id = cfg.port_profile_name(port);
            progress(&format!("Adding the port profile {id}"));
            let s = settings::port_settings(
                &id,
                port,
                &cfg.name,
                &uuid::Uuid::new_v4().to_string(),
                cfg.port_settings.get(port),
            );
            self.add(&s, flags, &format!("add {port} to {}", cfg.name), txn)
                .await?;
        }
        if opts.activate {
            self.activate_path(&bond_path, &cfg.name, opts.activation_timeout, progress)
                .await?;
            report.activated = true;
            report.path = ApplyPath::Reactivate(Vec::new());
        } else {
            report.path = ApplyPath::ProfileOnly(crate::model::Why::NotAsked);
        }
        Ok(())
    }

    /// A profile's own settings, ready to send back (and its `Flags`).
    async fn read_for_update(
        &self,
        path: &OwnedObjectPath,
        what: &str,
    ) -> Result<(ConnectionProxy<'static>, NmSettings, u32)> {
        let c = self.connection_proxy(path).await?;
        let mut s = c
            .get_settings()
            .await
            .map_err(|e| from_dbus(e, &format!("read {what}")))?;
        let flags = c.flags().await.unwrap_or(0);
        settings::prepare_for_update(&mut s);
        Ok((c, s, flags))
    }

    /// Updates a profile from its own settings with only what `change` names, inside the
    /// transaction (the original goes on its undo list), without reapplying.
    async fn update_profile(
        &self,
        path: &OwnedObjectPath,
        what: &str,
        txn: &mut Txn,
        change: impl FnOnce(&mut NmSettings),
    ) -> Result<()> {
        let (c, mut s, flags) = self.read_for_update(path, what).await?;
        let original = s.clone();
        change(&mut s);
        txn.undo
            .updated
            .push((path.clone(), original, save_flag(flags)));
        c.update2(&s, save_flag(flags) | UPDATE_NO_REAPPLY, &HashMap::new())
            .await
            .map_err(|e| from_dbus(e, &format!("update {what}")))?;
        Ok(())
    }

    async fn add(
        &self,
        s: &NmSettings,
        flags: u32,
        what: &str,
        txn: &mut Txn,
    ) -> Result<OwnedObjectPath> {
        let (path, _) = self
            .settings
            .add_connection2(s, flags, &HashMap::new())
            .await
            .map_err(|e| from_dbus(e, what))?;
        txn.undo.created.push(path.clone());
        Ok(path)
    }

    /// Activates a bond profile and waits until it is up with a port.
    pub async fn activate(
        &self,
        name: &str,
        timeout: Duration,
        progress: Progress<'_>,
    ) -> Result<()> {
        let bond = self.find_bond(name).await?;
        self.activate_path(&bond.path, bond.name(), timeout, progress)
            .await
    }

    /// Activates and checks: success is the bond activated with at least one port joined.
    pub(crate) async fn activate_path(
        &self,
        path: &OwnedObjectPath,
        name: &str,
        timeout: Duration,
        progress: Progress<'_>,
    ) -> Result<()> {
        let what = format!("activate {name}");
        progress(&format!("Activating {name}"));
        let ac_path = self
            .nm
            .activate_connection(&path.as_ref(), &root(), &root())
            .await
            .map_err(|e| from_dbus(e, &what))?;
        let ac = ActiveConnectionProxy::builder(&self.conn)
            .path(ac_path)
            .map_err(|e| from_dbus(e, &what))?
            .cache_properties(CacheProperties::No)
            .build()
            .await
            .map_err(|e| from_dbus(e, &what))?;
        // Subscribe before reading the state, so no change slips between the two.
        let mut changes = ac
            .receive_activation_state_changed()
            .await
            .map_err(|e| from_dbus(e, &what))?;
        let (mut state, mut reason) = (ac.state().await.unwrap_or(ACTIVE_STATE_DEACTIVATED), 0);
        let deadline = Instant::now() + timeout;
        loop {
            match state {
                ACTIVE_STATE_ACTIVATED => break,
                ACTIVE_STATE_DEACTIVATED => {
                    return Err(NmError::Refused(format!(
                        "NetworkManager could not activate {name}: {}.",
                        activation_failure(reason)
                    )));
                }
                _ => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, changes.next()).await {
                Ok(Some(sig)) => {
                    let args = sig.args().map_err(|e| from_dbus(e, &what))?;
                    (state, reason) = (args.state, args.reason);
                }
                Ok(None) => state = ACTIVE_STATE_DEACTIVATED,
                Err(_) => return Err(not_up(name, timeout)),
            }
        }
        // Up is not enough: a bond with no port carries nothing.
        let dev = ac.devices().await.ok().and_then(|d| d.into_iter().next());
        let Some(dev) = dev else {
            return Err(NmError::Refused(format!(
                "{name} reported up but has no device; check 'nmcli device status'."
            )));
        };
        let dev = self.device_proxy(&dev).await?;
        loop {
            if !dev.ports().await.unwrap_or_default().is_empty() {
                progress(&format!("{name} is up"));
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(NmError::Refused(format!(
                    "{name} came up, but no port joined it within {} s; check that the ports' cables are plugged in and that their profiles are not disabled.",
                    timeout.as_secs()
                )));
            }
            // Ports join within a second of the bond; a short, bounded wait.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Works an edit out against the bond's profile as NM holds it, without changing
    /// anything: what `bondctl edit --dry-run` shows.
    pub async fn plan_edit(&self, name: &str, edit: &BondEdit, bring_up: bool) -> Result<EditPlan> {
        // One read of NM's bonds serves both the lookup and the twin count.
        let bonds = self.list_bonds().await?;
        let bond = super::read::pick_bond(bonds.clone(), name)?;
        let twins = bonds.iter().filter(|b| b.name() == bond.name()).count();
        EditPlan::new(bond, twins, edit, self.version, bring_up)
    }

    /// Changes an existing bond and keeps the change. Keys Bondsmith does not model are
    /// sent back untouched. Any failure rolls everything back.
    pub async fn edit_bond(
        &self,
        name: &str,
        edit: &BondEdit,
        opts: &ApplyOptions,
        progress: Progress<'_>,
    ) -> Result<ApplyReport> {
        let pending = self.edit_bond_pending(name, edit, opts, progress).await?;
        if pending.txn.is_some() {
            progress("Keeping the change");
        }
        self.keep(pending).await
    }

    /// Like [`Self::edit_bond`], but leaves the checkpoint open (see [`Self::create_bond_pending`]).
    pub async fn edit_bond_pending(
        &self,
        name: &str,
        edit: &BondEdit,
        opts: &ApplyOptions,
        progress: Progress<'_>,
    ) -> Result<Pending> {
        let plan = self.plan_edit(name, edit, opts.activate).await?;
        let bond = &plan.bond;
        let mut report = ApplyReport::new(bond.name(), &bond.settings.uuid);
        report.path = plan.path.clone();
        for n in &plan.notes {
            report.note(n.clone());
        }
        if plan.path == ApplyPath::Nothing {
            return Ok(Pending { txn: None, report });
        }
        let new_ports = self.port_devices(&edit.add_ports).await?;
        let all = self.devices().await?;
        let mut devices: Vec<OwnedObjectPath> = new_ports.iter().map(|d| d.path.clone()).collect();
        devices.extend(
            all.iter()
                .filter(|d| d.interface == bond.name() || plan.before.ports.contains(&d.interface))
                .map(|d| d.path.clone()),
        );
        let mut txn = self.begin(&devices, progress).await?;
        let outcome = self
            .edit_steps(&plan, edit, opts, &mut txn, &mut report, progress)
            .await;
        self.pending_or_roll_back(outcome, txn, report, opts, progress)
            .await
    }

    async fn edit_steps(
        &self,
        plan: &EditPlan,
        edit: &BondEdit,
        opts: &ApplyOptions,
        txn: &mut Txn,
        report: &mut ApplyReport,
        progress: Progress<'_>,
    ) -> Result<()> {
        let bond = &plan.bond;
        let save = if bond.in_memory {
            SAVE_IN_MEMORY
        } else {
            SAVE_TO_DISK
        };
        if !plan.changes.is_empty() {
            progress(&format!("Updating the bond profile {}", bond.settings.id));
            let mut updated = bond.raw.clone();
            settings::apply_changes(&mut updated, &plan.changes);
            settings::prepare_for_update(&mut updated);
            let mut original = bond.raw.clone();
            settings::prepare_for_update(&mut original);
            txn.undo.updated.push((bond.path.clone(), original, save));
            // No implicit reapply: the plan decides between reapply and re-activation.
            self.connection_proxy(&bond.path)
                .await?
                .update2(&updated, save | UPDATE_NO_REAPPLY, &HashMap::new())
                .await
                .map_err(|e| from_dbus(e, &format!("update {}", bond.name())))?;
        }
        for port in bond
            .ports
            .iter()
            .filter(|p| edit.remove_ports.contains(&p.interface))
        {
            progress(&format!("Removing the port profile {}", port.id));
            let (pc, s, flags) = self.read_for_update(&port.path, "a port profile").await?;
            pc.delete().await.map_err(|e| {
                from_dbus(
                    e,
                    &format!("remove {} from {}", port.interface, bond.name()),
                )
            })?;
            txn.undo.deleted.push((s, save_flag(flags)));
        }
        // Kept ports whose bond-port settings change: their own profile, from its own
        // settings, with only those keys changed.
        for port in bond
            .ports
            .iter()
            .filter(|p| plan.after.ports.contains(&p.interface))
        {
            let old = plan
                .before
                .port_settings
                .get(&port.interface)
                .cloned()
                .unwrap_or_default();
            let new = plan
                .after
                .port_settings
                .get(&port.interface)
                .cloned()
                .unwrap_or_default();
            if old == new {
                continue;
            }
            progress(&format!("Updating the port profile {}", port.id));
            let changed = new.changed_from(&old);
            self.update_profile(&port.path, &port.id, txn, |s| {
                settings::write_bond_port(s, &changed)
            })
            .await?;
        }
        // The same autoconnect blocking as at create: with "bring up" off, nothing comes up.
        let port_flags = if opts.activate {
            save
        } else {
            save | BLOCK_AUTOCONNECT
        };
        for port in &edit.add_ports {
            let id = plan.after.port_profile_name(port);
            progress(&format!("Adding the port profile {id}"));
            let s = settings::port_settings(
                &id,
                port,
                &plan.master,
                &uuid::Uuid::new_v4().to_string(),
                plan.after.port_settings.get(port),
            );
            self.add(
                &s,
                port_flags,
                &format!("add {port} to {}", bond.name()),
                txn,
            )
            .await?;
        }
        match &plan.path {
            ApplyPath::Reapply => {
                if !self.reapply(plan, progress).await? {
                    report.warnings.push(format!(
                        "{} runs in another network namespace, so its kernel options could not be read back; NetworkManager reports the change as applied.",
                        bond.name()
                    ));
                }
                report.activated = true;
            }
            ApplyPath::Reactivate(_) => {
                self.activate_path(&bond.path, bond.name(), opts.activation_timeout, progress)
                    .await?;
                report.activated = true;
            }
            ApplyPath::Nothing | ApplyPath::ProfileOnly(_) => {}
        }
        Ok(())
    }

    /// `Device.Reapply` of the saved profile, then a check that the device runs it and that
    /// the kernel has the new options. `Ok(false)`: the kernel is not visible from here (the
    /// bond lives in another network namespace), so only NM's side was checked.
    async fn reapply(&self, plan: &EditPlan, progress: Progress<'_>) -> Result<bool> {
        let name = plan.bond.name();
        progress(&format!("Applying the change to the running {name}"));
        let what = format!("apply the change to the running {name}");
        let dev = self
            .devices()
            .await?
            .into_iter()
            .find(|d| d.interface == name)
            .ok_or_else(|| {
                NmError::NotFound(format!(
                    "The bond device {name} has gone; bring it up again."
                ))
            })?;
        let dev = self.device_proxy(&dev.path).await?;
        dev.reapply(&NmSettings::new(), 0, 0)
            .await
            .map_err(|e| from_dbus(e, &what))?;
        let (applied, _) = dev
            .get_applied_connection(0)
            .await
            .map_err(|e| from_dbus(e, &what))?;
        let running = settings::read_bond(&applied).to_config(plan.after.ports.clone());
        let want = &plan.after;
        let same = crate::model::edit::same_options(&running.options, &want.options)
            && running.ipv4 == want.ipv4
            && running.ipv6 == want.ipv6
            && running.mtu == want.mtu;
        if !same {
            return Err(NmError::Refused(format!(
                "NetworkManager did not apply the change to the running {name}; try again with the bond re-activated."
            )));
        }
        // And the kernel: NM reports success even when it could not write an option.
        if crate::kernel::sysfs::visible(name) {
            let changed: Vec<(String, String)> = want
                .options
                .iter()
                .filter(|(k, v)| {
                    *k != "mode"
                        && plan
                            .before
                            .options
                            .get(*k)
                            .is_none_or(|old| !crate::model::validate::same_value(k, old, v))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let off = crate::kernel::sysfs::differences(name, &changed);
            if let Some((k, v, is)) = off.first() {
                return Err(NmError::Refused(format!(
                    "The running {name} did not take {k}={v} (the kernel still has {is}); nothing is kept. Try again with the bond re-activated."
                )));
            }
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// A change's steps are done: keep it pending, or roll it back if a step failed.
    async fn pending_or_roll_back(
        &self,
        outcome: Result<()>,
        txn: Txn,
        report: ApplyReport,
        opts: &ApplyOptions,
        progress: Progress<'_>,
    ) -> Result<Pending> {
        match outcome {
            Ok(()) => {
                // NM holds the change no longer than the caller promised to ask.
                txn.expire_after(opts.confirm_timeout + Duration::from_secs(2));
                Ok(Pending {
                    txn: Some(txn),
                    report,
                })
            }
            Err(e) => {
                let rollback = self.roll_back(txn, progress).await;
                Err(NmError::RolledBack {
                    cause: Box::new(e),
                    rollback,
                })
            }
        }
    }

    /// Keeps a pending change. "Kept" only when NM confirmed the checkpoint is gone.
    pub async fn keep(&self, pending: Pending) -> Result<ApplyReport> {
        if let Some(txn) = pending.txn {
            self.commit(txn).await?;
        }
        Ok(pending.report)
    }

    /// Rolls a pending change back, as if it had never been applied, and says how it went.
    pub async fn undo(&self, pending: Pending, progress: Progress<'_>) -> RollbackReport {
        match pending.txn {
            Some(txn) => self.roll_back(txn, progress).await,
            None => RollbackReport::default(),
        }
    }

    /// Deletes a bond profile together with its port profiles.
    pub async fn delete_bond(&self, name: &str, progress: Progress<'_>) -> Result<Vec<String>> {
        let bond = self.find_bond(name).await?;
        let all = self.devices().await?;
        let devices: Vec<OwnedObjectPath> = all
            .iter()
            .filter(|d| {
                d.interface == bond.name() || bond.ports.iter().any(|p| p.interface == d.interface)
            })
            .map(|d| d.path.clone())
            .collect();
        let mut txn = self.begin(&devices, progress).await?;
        let mut removed = Vec::new();
        let targets = bond
            .ports
            .iter()
            .map(|p| (p.path.clone(), p.id.clone()))
            .chain([(bond.path.clone(), bond.settings.id.clone())]);
        let mut outcome = Ok(());
        for (path, id) in targets {
            progress(&format!("Deleting the profile {id}"));
            let step = async {
                let (c, s, flags) = self.read_for_update(&path, &id).await?;
                c.delete()
                    .await
                    .map_err(|e| from_dbus(e, &format!("delete {id}")))?;
                Ok::<_, NmError>((s, save_flag(flags)))
            };
            match step.await {
                Ok(d) => {
                    txn.undo.deleted.push(d);
                    removed.push(id);
                }
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        match outcome {
            Ok(()) => {
                self.commit(txn).await?;
                Ok(removed)
            }
            Err(e) => {
                let rollback = self.roll_back(txn, progress).await;
                Err(NmError::RolledBack {
                    cause: Box::new(e),
                    rollback,
                })
            }
        }
    }
}

fn not_up(name: &str, timeout: Duration) -> NmError {
    NmError::Refused(format!(
        "{name} did not come up within {} s; check the ports' cables and, for DHCP, that a server answers.",
        timeout.as_secs()
    ))
}
