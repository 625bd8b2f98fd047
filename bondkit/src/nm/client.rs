//! A typed NetworkManager client: read bonds and devices, and create, edit, delete and
//! activate bonds, each inside an NM checkpoint so that a failure leaves nothing behind.

use super::error::{from_dbus, NmError};
use super::proxies::*;
use super::settings::{self, get_str, NmSettings};
use crate::model::{BondConfig, NmVersion};
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use zbus::proxy::CacheProperties;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue};

pub type Result<T> = std::result::Result<T, NmError>;

/// Reports what the client is doing, for progress bars and `bondctl` output.
pub type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// A network device as NM sees it.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceInfo {
    pub interface: String,
    #[serde(skip)]
    pub path: OwnedObjectPath,
    /// "ethernet", "veth", "bond", ...
    pub kind: String,
    /// "activated", "disconnected", "unavailable", ...
    pub state: String,
    pub carrier: Option<bool>,
    pub speed_mbps: Option<u32>,
    pub hw_address: String,
    /// The profile active on it, by name.
    pub connection: Option<String>,
    /// Whether that profile carries this computer's default route: taking the device into
    /// a bond can cut the user off.
    pub default_route: bool,
    /// Whether the device could be a bond port.
    pub can_be_port: bool,
}

/// A port profile of a bond.
#[derive(Debug, Clone, Serialize)]
pub struct PortProfile {
    pub id: String,
    pub uuid: String,
    pub interface: String,
    #[serde(skip)]
    pub path: OwnedObjectPath,
}

/// A bond profile with its ports, as NM holds it.
#[derive(Debug, Clone, Serialize)]
pub struct BondProfile {
    #[serde(flatten)]
    pub settings: settings::BondSettings,
    pub ports: Vec<PortProfile>,
    /// The bond device's state, if the device exists.
    pub device_state: Option<String>,
    /// Kept only in memory (lost when NM restarts).
    pub in_memory: bool,
    #[serde(skip)]
    pub path: OwnedObjectPath,
    #[serde(skip)]
    pub raw: NmSettings,
}

impl BondProfile {
    pub fn name(&self) -> &str {
        &self.settings.interface
    }

    pub fn to_config(&self) -> BondConfig {
        self.settings
            .to_config(self.ports.iter().map(|p| p.interface.clone()).collect())
    }
}

/// How to apply a change.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Bring the bond up after the change (and roll back if it does not come up).
    pub activate: bool,
    /// How long to wait for activation.
    pub activation_timeout: Duration,
    /// Write profiles to disk (the default) or keep them in memory only.
    pub in_memory: bool,
    /// Extra time the caller needs before it keeps or undoes a pending change (the GUI's
    /// "Keep this configuration?" countdown). NM rolls back by itself after that.
    pub confirm_timeout: Duration,
}

impl ApplyOptions {
    fn checkpoint_timeout(&self) -> Duration {
        self.activation_timeout + self.confirm_timeout + Duration::from_secs(30)
    }
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            activate: true,
            activation_timeout: Duration::from_secs(60),
            in_memory: false,
            confirm_timeout: Duration::ZERO,
        }
    }
}

/// A change to an existing bond; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct BondEdit {
    pub mode: Option<String>,
    pub set_options: Vec<(String, String)>,
    pub remove_options: Vec<String>,
    pub add_ports: Vec<String>,
    pub remove_ports: Vec<String>,
    pub ipv4: Option<crate::model::Ipv4Config>,
    pub ipv6: Option<crate::model::Ipv6Config>,
    pub gateway: Option<Option<std::net::IpAddr>>,
    pub dns: Option<Vec<std::net::IpAddr>>,
    pub mtu: Option<Option<u32>>,
    pub mac: Option<Option<String>>,
}

impl BondEdit {
    fn touches_ip(&self) -> bool {
        self.ipv4.is_some()
            || self.ipv6.is_some()
            || self.gateway.is_some()
            || self.dns.is_some()
            || self.mtu.is_some()
            || self.mac.is_some()
    }

    /// Options that a mode change leaves without meaning: kept ones would be dropped or
    /// refused by NM, so the edit removes them (unless set explicitly in the same edit).
    pub fn removed_by_mode_change(&self, before: &BondConfig) -> Vec<String> {
        let Some(mode) = self.mode.as_deref().and_then(crate::model::BondMode::parse) else {
            return Vec::new();
        };
        before
            .options
            .keys()
            .filter(|k| crate::model::spec(k).is_some_and(|s| !s.kept_in(mode)))
            .filter(|k| !self.set_options.iter().any(|(s, _)| s == *k))
            .cloned()
            .collect()
    }

    /// The configuration after this edit.
    pub fn apply_to(&self, before: &BondConfig) -> BondConfig {
        let mut c = before.clone();
        for k in self
            .remove_options
            .iter()
            .chain(&self.removed_by_mode_change(before))
        {
            c.options.remove(k);
        }
        for (k, v) in &self.set_options {
            c.options.insert(k.clone(), v.clone());
        }
        if let Some(m) = &self.mode {
            c.options.insert("mode".into(), m.clone());
        }
        c.ports.retain(|p| !self.remove_ports.contains(p));
        for p in &self.add_ports {
            if !c.ports.contains(p) {
                c.ports.push(p.clone());
            }
        }
        if let Some(v) = &self.ipv4 {
            c.ipv4 = v.clone();
        }
        if let Some(v) = &self.ipv6 {
            c.ipv6 = v.clone();
        }
        if let Some(v) = self.gateway {
            c.gateway = v;
        }
        if let Some(v) = &self.dns {
            c.dns = v.clone();
        }
        if let Some(v) = self.mtu {
            c.mtu = v;
        }
        if let Some(v) = &self.mac {
            c.mac = v.clone();
        }
        c
    }
}

/// What a create or edit did, for the caller to show.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub bond: String,
    pub uuid: String,
    pub activated: bool,
    /// Options NM drops in this mode, and other things worth knowing.
    pub warnings: Vec<String>,
}

/// A change that is applied but not yet kept; see [`NmClient::create_bond_pending`].
pub struct Pending {
    checkpoint: OwnedObjectPath,
    undo: Undo,
    pub report: ApplyReport,
}

/// Things to undo by hand: a checkpoint restores devices, but not profiles that were
/// never active, so the client also keeps its own log.
#[derive(Default)]
struct Undo {
    created: Vec<OwnedObjectPath>,
    updated: Vec<(OwnedObjectPath, NmSettings, u32)>,
    deleted: Vec<(NmSettings, u32)>,
}

const ACTIVE_STATE_ACTIVATED: u32 = 2;
const ACTIVE_STATE_DEACTIVATED: u32 = 4;

pub struct NmClient {
    conn: zbus::Connection,
    nm: NetworkManagerProxy<'static>,
    settings: SettingsProxy<'static>,
    version: NmVersion,
}

fn root() -> ObjectPath<'static> {
    ObjectPath::from_static_str_unchecked("/")
}

fn prop<T: TryFrom<OwnedValue>>(props: &HashMap<String, OwnedValue>, key: &str) -> Option<T> {
    props
        .get(key)
        .and_then(|v| T::try_from(v.try_clone().ok()?).ok())
}

pub fn device_state_name(state: u32) -> &'static str {
    match state {
        10 => "unmanaged",
        20 => "unavailable",
        30 => "disconnected",
        40 => "preparing",
        50 => "configuring",
        60 => "needs authentication",
        70 => "getting IP configuration",
        80 => "checking IP connectivity",
        90 => "waiting for secondaries",
        100 => "activated",
        110 => "deactivating",
        120 => "failed",
        _ => "unknown",
    }
}

fn device_kind(t: u32) -> &'static str {
    match t {
        1 => "ethernet",
        10 => "bond",
        13 => "bridge",
        14 => "generic",
        20 => "veth",
        32 => "loopback",
        _ => "other",
    }
}

fn activation_failure(reason: u32) -> &'static str {
    match reason {
        3 => "its device was disconnected",
        4 => "a required service stopped",
        5 => "it got no usable IP configuration (no DHCP answer, or the address is in use)",
        6 => "it timed out while connecting",
        11 => "the profile was removed",
        12 => "a port profile failed to activate",
        13 => "the bond device could not be created",
        14 => "the device was removed",
        _ => "NetworkManager gave no reason",
    }
}

impl NmClient {
    /// Connects to NetworkManager on the system bus (or `DBUS_SYSTEM_BUS_ADDRESS`).
    pub async fn system() -> Result<NmClient> {
        // No system bus at all means no NetworkManager either.
        let conn = zbus::Connection::system()
            .await
            .map_err(|_| NmError::Refused(super::error::NOT_RUNNING.into()))?;
        NmClient::with_connection(conn).await
    }

    pub async fn with_connection(conn: zbus::Connection) -> Result<NmClient> {
        let err = |e| from_dbus(e, "reach NetworkManager");
        let nm = NetworkManagerProxy::builder(&conn)
            .cache_properties(CacheProperties::No)
            .build()
            .await
            .map_err(err)?;
        let settings = SettingsProxy::builder(&conn)
            .cache_properties(CacheProperties::No)
            .build()
            .await
            .map_err(err)?;
        let raw = nm.version().await.map_err(err)?;
        let version = NmVersion::parse(&raw).ok_or_else(|| {
            NmError::Refused(format!(
                "NetworkManager reported an unreadable version '{raw}'."
            ))
        })?;
        Ok(NmClient {
            conn,
            nm,
            settings,
            version,
        })
    }

    pub fn version(&self) -> NmVersion {
        self.version
    }

    pub fn connection(&self) -> &zbus::Connection {
        &self.conn
    }

    async fn managed_objects(
        &self,
    ) -> Result<HashMap<OwnedObjectPath, HashMap<String, HashMap<String, OwnedValue>>>> {
        let om = ObjectManagerProxy::builder(&self.conn)
            .cache_properties(CacheProperties::No)
            .build()
            .await
            .map_err(|e| from_dbus(e, "read NetworkManager's objects"))?;
        om.get_managed_objects()
            .await
            .map_err(|e| from_dbus(e, "read NetworkManager's objects"))
    }

    /// Every network device, sorted by name, in one D-Bus call.
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>> {
        let objects = self.managed_objects().await?;
        // Active connections by path: their profile name, and whether they carry a default route.
        let active: HashMap<String, (String, bool)> = objects
            .iter()
            .filter_map(|(p, ifaces)| {
                let a = ifaces.get("org.freedesktop.NetworkManager.Connection.Active")?;
                let default = prop::<bool>(a, "Default").unwrap_or(false)
                    || prop::<bool>(a, "Default6").unwrap_or(false);
                Some((p.to_string(), (prop::<String>(a, "Id")?, default)))
            })
            .collect();
        let mut out: Vec<DeviceInfo> = objects
            .iter()
            .filter_map(|(path, ifaces)| {
                let d = ifaces.get("org.freedesktop.NetworkManager.Device")?;
                // NM keeps placeholders for virtual devices that do not exist yet.
                if prop::<bool>(d, "Real") == Some(false) {
                    return None;
                }
                let wired = ifaces.get("org.freedesktop.NetworkManager.Device.Wired");
                let kind = device_kind(prop::<u32>(d, "DeviceType").unwrap_or(0));
                let flags = prop::<u32>(d, "InterfaceFlags").unwrap_or(0);
                let ac = prop::<OwnedObjectPath>(d, "ActiveConnection").map(|p| p.to_string());
                Some(DeviceInfo {
                    interface: prop(d, "Interface")?,
                    path: path.clone(),
                    kind: kind.to_string(),
                    state: device_state_name(prop(d, "State").unwrap_or(0)).to_string(),
                    carrier: Some(flags & 0x10000 != 0),
                    speed_mbps: wired
                        .and_then(|w| prop::<u32>(w, "Speed"))
                        .filter(|s| *s > 0),
                    hw_address: prop(d, "HwAddress").unwrap_or_default(),
                    connection: ac.as_ref().and_then(|p| active.get(p)).map(|a| a.0.clone()),
                    default_route: ac.as_ref().and_then(|p| active.get(p)).is_some_and(|a| a.1),
                    can_be_port: matches!(kind, "ethernet" | "veth"),
                })
            })
            .collect();
        out.sort_by(|a, b| a.interface.cmp(&b.interface));
        Ok(out)
    }

    async fn connection_proxy(&self, path: &OwnedObjectPath) -> Result<ConnectionProxy<'static>> {
        ConnectionProxy::builder(&self.conn)
            .path(path.clone())
            .map_err(|e| from_dbus(e, "read a profile"))?
            .cache_properties(CacheProperties::No)
            .build()
            .await
            .map_err(|e| from_dbus(e, "read a profile"))
    }

    /// Every profile with its settings and `Flags`.
    async fn all_profiles(&self) -> Result<Vec<(OwnedObjectPath, NmSettings, u32)>> {
        let paths = self
            .settings
            .list_connections()
            .await
            .map_err(|e| from_dbus(e, "list profiles"))?;
        let mut out = Vec::with_capacity(paths.len());
        for path in paths {
            let c = self.connection_proxy(&path).await?;
            // A profile can vanish between listing and reading; skip it.
            let Ok(s) = c.get_settings().await else {
                continue;
            };
            let flags = c.flags().await.unwrap_or(0);
            out.push((path, s, flags));
        }
        Ok(out)
    }

    /// Every bond profile with its ports.
    pub async fn list_bonds(&self) -> Result<Vec<BondProfile>> {
        let profiles = self.all_profiles().await?;
        let devices = self.devices().await?;
        let mut bonds: Vec<BondProfile> = profiles
            .iter()
            .filter(|(_, s, _)| get_str(s, "connection", "type").as_deref() == Some("bond"))
            .map(|(path, s, flags)| {
                let settings = settings::read_bond(s);
                let keys = [settings.interface.as_str(), settings.uuid.as_str()];
                let ports = profiles
                    .iter()
                    .filter(|(_, p, _)| {
                        get_str(p, "connection", "slave-type").as_deref() == Some("bond")
                            && get_str(p, "connection", "master")
                                .is_some_and(|m| keys.contains(&m.as_str()))
                    })
                    .map(|(pp, p, _)| PortProfile {
                        id: get_str(p, "connection", "id").unwrap_or_default(),
                        uuid: get_str(p, "connection", "uuid").unwrap_or_default(),
                        interface: get_str(p, "connection", "interface-name").unwrap_or_default(),
                        path: pp.clone(),
                    })
                    .collect();
                let device_state = devices
                    .iter()
                    .find(|d| d.interface == settings.interface)
                    .map(|d| d.state.clone());
                BondProfile {
                    settings,
                    ports,
                    device_state,
                    in_memory: flags & CONNECTION_FLAG_UNSAVED != 0 || is_volatile(*flags),
                    path: path.clone(),
                    raw: s.clone(),
                }
            })
            .collect();
        bonds.sort_by(|a, b| a.name().cmp(b.name()));
        Ok(bonds)
    }

    /// The bond whose interface name or profile name is `name`.
    pub async fn find_bond(&self, name: &str) -> Result<BondProfile> {
        let bonds = self.list_bonds().await?;
        let known: Vec<String> = bonds.iter().map(|b| b.name().to_string()).collect();
        bonds
            .into_iter()
            .find(|b| b.settings.interface == name || b.settings.id == name)
            .ok_or_else(|| {
                let hint = if known.is_empty() {
                    "there are no bond profiles yet; create one with 'bondctl create'".to_string()
                } else {
                    format!("the bonds are: {}", known.join(", "))
                };
                NmError::NotFound(format!("There is no bond named {name}; {hint}."))
            })
    }

    /// The devices for `ports`, or a sentence naming the first that is missing or unsuitable.
    async fn port_devices(&self, ports: &[String]) -> Result<Vec<DeviceInfo>> {
        let devices = self.devices().await?;
        ports
            .iter()
            .map(|p| {
                let d = devices.iter().find(|d| &d.interface == p).ok_or_else(|| {
                    let names: Vec<&str> = devices.iter().filter(|d| d.can_be_port).map(|d| d.interface.as_str()).collect();
                    NmError::NotFound(format!("There is no network device named {p}; pick one of: {}.", if names.is_empty() { "(none found)".into() } else { names.join(", ") }))
                })?;
                if !d.can_be_port {
                    return Err(NmError::Invalid(format!("{p} is a {} device and cannot be a bond port; pick an ethernet device.", d.kind)));
                }
                if d.state == "unmanaged" {
                    return Err(NmError::Invalid(format!("NetworkManager does not manage {p}; let it manage the device (nmcli device set {p} managed yes) first.")));
                }
                Ok(d.clone())
            })
            .collect()
    }

    async fn checkpoint(
        &self,
        devices: &[OwnedObjectPath],
        timeout: Duration,
        progress: Progress<'_>,
    ) -> Result<OwnedObjectPath> {
        progress("Creating a checkpoint so that NetworkManager can roll back");
        let paths: Vec<ObjectPath<'_>> = devices.iter().map(|p| p.as_ref()).collect();
        let secs = u32::try_from(timeout.as_secs()).unwrap_or(u32::MAX).max(10);
        self.nm
            .checkpoint_create(&paths, secs, CHECKPOINT_DELETE_NEW_CONNECTIONS)
            .await
            .map_err(|e| from_dbus(e, "create a checkpoint"))
    }

    /// Undoes a failed change: NM's checkpoint first (device state, new profiles), then our log.
    async fn roll_back(&self, checkpoint: &OwnedObjectPath, undo: Undo, progress: Progress<'_>) {
        progress("Rolling back");
        let _ = self.nm.checkpoint_rollback(checkpoint).await;
        for path in undo.created.iter().rev() {
            if let Ok(c) = self.connection_proxy(path).await {
                let _ = c.delete().await;
            }
        }
        for (path, original, flags) in undo.updated {
            if let Ok(c) = self.connection_proxy(&path).await {
                let _ = c.update2(&original, flags, &HashMap::new()).await;
            }
        }
        for (original, flags) in undo.deleted {
            let _ = self
                .settings
                .add_connection2(&original, flags, &HashMap::new())
                .await;
        }
    }

    /// A change's steps are done: keep it pending, or roll it back if a step failed.
    async fn pending_or_roll_back(
        &self,
        outcome: Result<()>,
        checkpoint: OwnedObjectPath,
        undo: Undo,
        report: ApplyReport,
        progress: Progress<'_>,
    ) -> Result<Pending> {
        match outcome {
            Ok(()) => Ok(Pending {
                checkpoint,
                undo,
                report,
            }),
            Err(e) => {
                self.roll_back(&checkpoint, undo, progress).await;
                Err(e)
            }
        }
    }

    async fn finish(&self, checkpoint: &OwnedObjectPath) {
        // The change stands; a failure here only means NM already dropped the checkpoint.
        let _ = self.nm.checkpoint_destroy(checkpoint).await;
    }

    async fn add(
        &self,
        s: &NmSettings,
        flags: u32,
        what: &str,
        undo: &mut Undo,
    ) -> Result<OwnedObjectPath> {
        let (path, _) = self
            .settings
            .add_connection2(s, flags, &HashMap::new())
            .await
            .map_err(|e| from_dbus(e, what))?;
        undo.created.push(path.clone());
        Ok(path)
    }

    /// Creates `cfg` (bond plus one port profile per port) inside a checkpoint, activates it
    /// if asked, and keeps it. Any failure rolls everything back.
    pub async fn create_bond(
        &self,
        cfg: &BondConfig,
        opts: &ApplyOptions,
        progress: Progress<'_>,
    ) -> Result<ApplyReport> {
        let pending = self.create_bond_pending(cfg, opts, progress).await?;
        Ok(self.keep(pending).await)
    }

    /// Like [`Self::create_bond`], but leaves the checkpoint open: the caller asks the user
    /// and then calls [`Self::keep`] or [`Self::undo`]. If nobody does, NM rolls back by
    /// itself when the checkpoint times out.
    pub async fn create_bond_pending(
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
            return Err(NmError::Invalid(format!("A bond named {0} already exists; pick another name, or change it with 'bondctl edit {0}'.", cfg.name)));
        }
        let ports = self.port_devices(&cfg.ports).await?;
        let mut report = ApplyReport {
            bond: cfg.name.clone(),
            ..Default::default()
        };
        report.warnings.extend(
            verdict
                .dropped
                .iter()
                .chain(&verdict.warnings)
                .map(|p| p.message.clone()),
        );
        for d in &ports {
            if d.default_route {
                report.warnings.push(format!(
                    "{} carries this computer's default route; if the bond does not come up, the checkpoint rolls back.",
                    d.interface
                ));
            }
            if let Some(c) = &d.connection {
                report.warnings.push(format!(
                    "{} was carrying the profile '{c}'; it now becomes a port of {}.",
                    d.interface, cfg.name
                ));
            }
        }
        let device_paths: Vec<OwnedObjectPath> = ports.iter().map(|d| d.path.clone()).collect();
        let checkpoint = self
            .checkpoint(&device_paths, opts.checkpoint_timeout(), progress)
            .await?;
        let mut undo = Undo::default();
        let outcome = self
            .create_steps(
                cfg,
                &verdict.normalized,
                opts,
                &mut undo,
                &mut report,
                progress,
            )
            .await;
        self.pending_or_roll_back(outcome, checkpoint, undo, report, progress)
            .await
    }

    async fn create_steps(
        &self,
        cfg: &BondConfig,
        options: &crate::model::OptionMap,
        opts: &ApplyOptions,
        undo: &mut Undo,
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
        let bond_path = self
            .add(
                &settings::bond_settings(cfg, options, &uuid),
                flags,
                &format!("create the bond {}", cfg.name),
                undo,
            )
            .await?;
        report.uuid = uuid;
        for port in &cfg.ports {
            let id = cfg.port_profile_name(port);
            progress(&format!("Adding the port profile {id}"));
            let s =
                settings::port_settings(&id, port, &cfg.name, &uuid::Uuid::new_v4().to_string());
            self.add(&s, flags, &format!("add {port} to {}", cfg.name), undo)
                .await?;
        }
        if opts.activate {
            self.activate_path(&bond_path, &cfg.name, opts.activation_timeout, progress)
                .await?;
            report.activated = true;
        }
        Ok(())
    }

    /// Activates a bond profile and waits until it is up or has failed.
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

    async fn activate_path(
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
                ACTIVE_STATE_ACTIVATED => {
                    progress(&format!("{name} is up"));
                    return Ok(());
                }
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
                Err(_) => {
                    return Err(NmError::Refused(format!(
                        "{name} did not come up within {} s; check the ports' cables and, for DHCP, that a server answers.",
                        timeout.as_secs()
                    )))
                }
            }
        }
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
        Ok(self.keep(pending).await)
    }

    /// Like [`Self::edit_bond`], but leaves the checkpoint open (see [`Self::create_bond_pending`]).
    pub async fn edit_bond_pending(
        &self,
        name: &str,
        edit: &BondEdit,
        opts: &ApplyOptions,
        progress: Progress<'_>,
    ) -> Result<Pending> {
        let bond = self.find_bond(name).await?;
        let before = bond.to_config();
        for p in &edit.remove_ports {
            if !before.ports.contains(p) {
                return Err(NmError::NotFound(format!(
                    "{p} is not a port of {}; its ports are: {}.",
                    bond.name(),
                    before.ports.join(", ")
                )));
            }
        }
        for p in &edit.add_ports {
            if before.ports.contains(p) {
                return Err(NmError::Invalid(format!(
                    "{p} is already a port of {}.",
                    bond.name()
                )));
            }
        }
        let after = edit.apply_to(&before);
        let verdict = after.check(self.version);
        if let Some(p) = verdict.errors.first() {
            return Err(NmError::Invalid(p.message.clone()));
        }
        let new_ports = self.port_devices(&edit.add_ports).await?;
        let all = self.devices().await?;
        let mut devices: Vec<OwnedObjectPath> = new_ports.iter().map(|d| d.path.clone()).collect();
        devices.extend(
            all.iter()
                .filter(|d| d.interface == bond.name() || before.ports.contains(&d.interface))
                .map(|d| d.path.clone()),
        );

        let mut updated = bond.raw.clone();
        settings::set_bond_options(&mut updated, &verdict.normalized);
        if edit.touches_ip() {
            settings::set_ip(&mut updated, &after);
        }
        settings::prepare_for_update(&mut updated);

        let mut report = ApplyReport {
            bond: bond.name().to_string(),
            uuid: bond.settings.uuid.clone(),
            ..Default::default()
        };
        for k in edit.removed_by_mode_change(&before) {
            let modes = crate::model::spec(&k)
                .map(|s| s.modes_text())
                .unwrap_or_default();
            report.warnings.push(format!(
                "Switching the mode removes {k}, which only applies to {modes}."
            ));
        }
        report.warnings.extend(
            verdict
                .dropped
                .iter()
                .chain(&verdict.warnings)
                .map(|p| p.message.clone()),
        );
        let checkpoint = self
            .checkpoint(&devices, opts.checkpoint_timeout(), progress)
            .await?;
        let mut undo = Undo::default();
        let steps = async {
            let save = if bond.in_memory {
                SAVE_IN_MEMORY
            } else {
                SAVE_TO_DISK
            };
            progress(&format!("Updating the bond profile {}", bond.name()));
            let c = self.connection_proxy(&bond.path).await?;
            let mut original = bond.raw.clone();
            settings::prepare_for_update(&mut original);
            undo.updated.push((bond.path.clone(), original, save));
            c.update2(&updated, save, &HashMap::new())
                .await
                .map_err(|e| from_dbus(e, &format!("update {}", bond.name())))?;
            for port in bond
                .ports
                .iter()
                .filter(|p| edit.remove_ports.contains(&p.interface))
            {
                progress(&format!("Removing the port profile {}", port.id));
                let pc = self.connection_proxy(&port.path).await?;
                let mut s = pc
                    .get_settings()
                    .await
                    .map_err(|e| from_dbus(e, "read a port profile"))?;
                settings::prepare_for_update(&mut s);
                pc.delete().await.map_err(|e| {
                    from_dbus(
                        e,
                        &format!("remove {} from {}", port.interface, bond.name()),
                    )
                })?;
                undo.deleted.push((s, save));
            }
            for port in &edit.add_ports {
                let id = after.port_profile_name(port);
                progress(&format!("Adding the port profile {id}"));
                let s = settings::port_settings(
                    &id,
                    port,
                    bond.name(),
                    &uuid::Uuid::new_v4().to_string(),
                );
                self.add(
                    &s,
                    save,
                    &format!("add {port} to {}", bond.name()),
                    &mut undo,
                )
                .await?;
            }
            if opts.activate && bond.device_state.as_deref() == Some("activated") {
                self.activate_path(&bond.path, bond.name(), opts.activation_timeout, progress)
                    .await?;
                report.activated = true;
            }
            Ok::<(), NmError>(())
        };
        let outcome = steps.await;
        self.pending_or_roll_back(outcome, checkpoint, undo, report, progress)
            .await
    }

    /// Keeps a pending change: the checkpoint goes, the change stays.
    pub async fn keep(&self, pending: Pending) -> ApplyReport {
        self.finish(&pending.checkpoint).await;
        pending.report
    }

    /// Rolls a pending change back, as if it had never been applied.
    pub async fn undo(&self, pending: Pending, progress: Progress<'_>) {
        self.roll_back(&pending.checkpoint, pending.undo, progress)
            .await;
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
        let checkpoint = self
            .checkpoint(&devices, Duration::from_secs(60), progress)
            .await?;
        let mut undo = Undo::default();
        let mut removed = Vec::new();
        let steps = async {
            let targets = bond
                .ports
                .iter()
                .map(|p| (p.path.clone(), p.id.clone()))
                .chain([(bond.path.clone(), bond.settings.id.clone())]);
            for (path, id) in targets {
                progress(&format!("Deleting the profile {id}"));
                let c = self.connection_proxy(&path).await?;
                let mut s = c
                    .get_settings()
                    .await
                    .map_err(|e| from_dbus(e, &format!("read {id}")))?;
                let flags = c.flags().await.unwrap_or(0);
                settings::prepare_for_update(&mut s);
                c.delete()
                    .await
                    .map_err(|e| from_dbus(e, &format!("delete {id}")))?;
                undo.deleted.push((
                    s,
                    if flags & CONNECTION_FLAG_UNSAVED != 0 || is_volatile(flags) {
                        SAVE_IN_MEMORY
                    } else {
                        SAVE_TO_DISK
                    },
                ));
                removed.push(id);
            }
            Ok::<(), NmError>(())
        };
        match steps.await {
            Ok(()) => {
                self.finish(&checkpoint).await;
                Ok(removed)
            }
            Err(e) => {
                self.roll_back(&checkpoint, undo, progress).await;
                Err(e)
            }
        }
    }

    /// Asks NM to judge a bond option set without keeping anything: the profile is added in
    /// memory, read back, and deleted. Returns what NM stored, or its error message.
    pub async fn nm_verdict(
        &self,
        name: &str,
        options: &crate::model::OptionMap,
    ) -> std::result::Result<crate::model::OptionMap, String> {
        let cfg = BondConfig {
            options: options.clone(),
            ..BondConfig::new(name, "")
        };
        let s = settings::bond_settings(&cfg, options, &uuid::Uuid::new_v4().to_string());
        match self
            .settings
            .add_connection2(&s, SAVE_IN_MEMORY | BLOCK_AUTOCONNECT, &HashMap::new())
            .await
        {
            Ok((path, _)) => {
                let c = self
                    .connection_proxy(&path)
                    .await
                    .map_err(|e| e.to_string())?;
                let back = c.get_settings().await.map_err(|e| e.to_string())?;
                c.delete().await.map_err(|e| e.to_string())?;
                Ok(settings::get_options(&back))
            }
            Err(zbus::Error::MethodError(_, msg, _)) => Err(msg.unwrap_or_default()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// `Flags` bits for profiles that live only in memory (NM_SETTINGS_CONNECTION_FLAG_VOLATILE).
fn is_volatile(flags: u32) -> bool {
    flags & 0x8 != 0
}
