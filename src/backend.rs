//! The bridge between the GTK thread and bondkit. All D-Bus work runs on a tokio runtime in
//! its own thread; results come back over async channels that the GTK side awaits with
//! `glib::spawn_future_local`, so the UI thread never blocks.

use bondkit::kernel::{self, Diagnostic, KernelBond, LinkEvents, LiveDiagnoser, NmView};
use bondkit::model::BondEdit;
use bondkit::model::{BondConfig, NmVersion};
use bondkit::nm::{ApplyOptions, BondProfile, DeviceInfo, NmClient, NmError, Pending};
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("bondsmith-backend")
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// Runs `fut` on the backend runtime and hands its result back to the caller's executor.
async fn on_backend<T: Send + 'static>(fut: impl Future<Output = T> + Send + 'static) -> T {
    let (tx, rx) = async_channel::bounded(1);
    runtime().spawn(async move {
        let _ = tx.send(fut.await).await;
    });
    rx.recv()
        .await
        .expect("the backend runtime never drops a request")
}

/// A failover test under way: its events, its result, and the way to stop it.
pub struct FailoverRun {
    pub events: async_channel::Receiver<bondkit::failover::TestEvent>,
    pub result: async_channel::Receiver<
        Result<bondkit::failover::TestRecord, bondkit::failover::TestError>,
    >,
    pub stop: async_channel::Sender<()>,
}

/// What the main window shows.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub bonds: Vec<BondProfile>,
    pub devices: Vec<DeviceInfo>,
}

#[derive(Clone)]
pub struct Backend {
    client: Arc<NmClient>,
}

/// Progress lines from a running change.
pub type ProgressRx = async_channel::Receiver<String>;

fn progress_pair() -> (impl Fn(&str) + Send + Sync + 'static, ProgressRx) {
    let (tx, rx) = async_channel::unbounded();
    (
        move |s: &str| {
            let _ = tx.try_send(s.to_string());
        },
        rx,
    )
}

impl Backend {
    /// Connects to NetworkManager on the system bus.
    pub async fn connect() -> Result<Backend, NmError> {
        let client = on_backend(NmClient::system()).await?;
        Ok(Backend {
            client: Arc::new(client),
        })
    }

    pub fn version(&self) -> NmVersion {
        self.client.version()
    }

    pub async fn snapshot(&self) -> Result<Snapshot, NmError> {
        let c = self.client.clone();
        on_backend(async move {
            Ok(Snapshot {
                bonds: c.list_bonds().await?,
                devices: c.devices().await?,
            })
        })
        .await
    }

    /// A stream of "something changed in NM" ticks, for refreshing views without polling.
    pub fn changes(&self) -> async_channel::Receiver<()> {
        let (tx, rx) = async_channel::bounded(1);
        let c = self.client.clone();
        runtime().spawn(async move {
            if let Ok(mut changes) = c.changes().await {
                use futures_util::StreamExt;
                while changes.next().await.is_some() {
                    // A full channel already holds a pending refresh: drop the tick.
                    if tx.is_closed() {
                        break;
                    }
                    let _ = tx.try_send(());
                }
            }
        });
        rx
    }

    pub fn create(
        &self,
        cfg: BondConfig,
        opts: ApplyOptions,
    ) -> (ProgressRx, impl Future<Output = Result<Pending, NmError>>) {
        let (progress, rx) = progress_pair();
        let c = self.client.clone();
        (
            rx,
            on_backend(async move { c.create_bond_pending(&cfg, &opts, &progress).await }),
        )
    }

    pub fn edit(
        &self,
        name: String,
        edit: BondEdit,
        opts: ApplyOptions,
    ) -> (ProgressRx, impl Future<Output = Result<Pending, NmError>>) {
        let (progress, rx) = progress_pair();
        let c = self.client.clone();
        (
            rx,
            on_backend(async move { c.edit_bond_pending(&name, &edit, &opts, &progress).await }),
        )
    }

    /// What a new bond would take over from the connection `port` is on.
    pub async fn adoption(&self, port: String) -> Result<bondkit::nm::Adoption, NmError> {
        let c = self.client.clone();
        on_backend(async move { c.adoption(&port).await }).await
    }

    pub async fn keep(&self, pending: Pending) -> Result<bondkit::nm::ApplyReport, NmError> {
        let c = self.client.clone();
        on_backend(async move { c.keep(pending).await }).await
    }

    pub async fn undo(&self, pending: Pending) -> bondkit::nm::RollbackReport {
        let c = self.client.clone();
        on_backend(async move { c.undo(pending, &|_| {}).await }).await
    }

    /// The kernel's live state of `bond`, now and after every link change (`None` while
    /// the kernel has no such bond), judged against NM's side. A disagreement between the
    /// two is re-checked against a fresh reading of NM before it is shown. Ends when the
    /// receiver is dropped.
    pub fn watch_kernel(
        &self,
        bond: BondProfile,
        devices: Vec<DeviceInfo>,
    ) -> async_channel::Receiver<Option<(KernelBond, Vec<Diagnostic>)>> {
        let (tx, rx) = async_channel::bounded(4);
        let client = self.client.clone();
        runtime().spawn(async move {
            let Ok(events) = LinkEvents::subscribe() else {
                let _ = tx.send(None).await;
                return;
            };
            let mut nm = NmView::of(&bond, &devices);
            let mut live = LiveDiagnoser::default();
            let mut last: Option<(Option<KernelBond>, Vec<Diagnostic>)> = None;
            loop {
                let n = bond.name().to_string();
                let reading = tokio::task::spawn_blocking(move || {
                    kernel::netlink::read_bond(&n).ok().flatten()
                })
                .await
                .ok()
                .flatten();
                let (diags, recheck) = match &reading {
                    Some(k) => live.diagnose(k, &nm, Instant::now()),
                    None => {
                        live.absent();
                        (Vec::new(), None)
                    }
                };
                let now = (reading, diags);
                if last.as_ref() != Some(&now) {
                    let msg = now.0.clone().map(|k| (k, now.1.clone()));
                    if tx.send(msg).await.is_err() {
                        return;
                    }
                    last = Some(now);
                }
                let recheck = async {
                    match recheck {
                        Some(at) => tokio::time::sleep_until(at.into()).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    ev = events.next() => {
                        if ev.is_none() || tx.is_closed() {
                            return;
                        }
                        // One reading covers every event already queued.
                        events.drain();
                    }
                    _ = recheck => {
                        if let Ok(devices) = client.devices().await {
                            nm = NmView::of(&bond, &devices);
                        }
                    }
                }
            }
        });
        rx
    }

    /// Runs a failover test; a finished one is kept in the history.
    pub fn run_failover(&self, req: bondkit::failover::TestRequest) -> FailoverRun {
        let (etx, events) = async_channel::unbounded();
        let (rtx, result) = async_channel::bounded(1);
        let (stop, srx) = async_channel::bounded(1);
        let client = self.client.clone();
        runtime().spawn(async move {
            let r = bondkit::failover::run(&client, &req, &etx, Some(&srx)).await;
            if let Ok(record) = &r {
                let _ =
                    bondkit::failover::history::save(&bondkit::failover::history::root(), record);
            }
            drop(etx);
            let _ = rtx.send(r).await;
        });
        FailoverRun {
            events,
            result,
            stop,
        }
    }

    /// The bond's kept failover tests, newest first (read off the GTK thread).
    pub async fn failover_history(&self, bond: String) -> Vec<bondkit::failover::TestRecord> {
        on_backend(async move {
            tokio::task::spawn_blocking(move || {
                bondkit::failover::history::list(&bondkit::failover::history::root(), &bond)
            })
            .await
            .unwrap_or_default()
        })
        .await
    }

    /// Brings an inactive bond up (success: activated with a port joined).
    pub async fn activate(&self, uuid: String) -> Result<(), NmError> {
        let c = self.client.clone();
        on_backend(async move {
            c.activate(&uuid, std::time::Duration::from_secs(60), &|_| {})
                .await
        })
        .await
    }

    pub async fn delete(&self, name: String) -> Result<Vec<String>, NmError> {
        let c = self.client.clone();
        on_backend(async move { c.delete_bond(&name, &|_| {}).await }).await
    }
}

/// Redundancy alerts for every bond, from bondkit's monitor on the backend runtime. The
/// watch ends when the receiver is dropped (at the next alert it would send).
pub fn watch_redundancy() -> async_channel::Receiver<bondkit::monitor::Alert> {
    let (tx, rx) = async_channel::unbounded();
    runtime().spawn(async move {
        if let Err(e) = bondkit::monitor::watch(tx).await {
            eprintln!("bondsmith: cannot follow the kernel's link events: {e}");
        }
    });
    rx
}

/// Asks the Background portal (inside Flatpak) to start `command` at login, or to stop.
/// Returns whether autostart is now on, as the portal (the user) decided.
pub async fn request_background(
    reason: String,
    autostart: bool,
    command: Vec<String>,
) -> Result<bool, String> {
    on_backend(async move {
        let req = ashpd::desktop::background::Background::request()
            .reason(reason.as_str())
            .auto_start(autostart)
            .dbus_activatable(false);
        let req = if autostart {
            req.command(&command)
        } else {
            req
        };
        let response = req
            .send()
            .await
            .and_then(|r| r.response())
            .map_err(|e| e.to_string())?;
        Ok(response.auto_start())
    })
    .await
}
