//! The failover test's dead-man switch: a checkpoint on the port it takes down, with a
//! rollback timeout of a few seconds that a live Bondsmith extends once a second. If the
//! test dies (a crash, `kill -9`), NM restores the port by itself within those seconds. The
//! test destroys the checkpoint as soon as it has restored the port itself, because a
//! rollback after that would re-activate the port again and cause an extra failover.
//!
//! Also the two device actions the test takes through NM: disconnect a port, and activate
//! its profile again.

use super::client::*;
use super::error::from_dbus;
use std::time::Duration;
use zbus::zvariant::OwnedObjectPath;

/// What NM holds; a dead test is rolled back this long after its last sign of life.
pub const DEAD_MAN_SECS: u32 = 3;
const BEAT: Duration = Duration::from_secs(1);

/// An armed dead-man checkpoint; disarm it with [`NmClient::disarm`].
pub struct DeadMan {
    path: OwnedObjectPath,
    beat: tokio::task::JoinHandle<()>,
}

impl DeadMan {
    pub fn path(&self) -> &str {
        self.path.as_str()
    }
}

impl Drop for DeadMan {
    fn drop(&mut self) {
        // Stop the heartbeat: NM then rolls back on its own.
        self.beat.abort();
    }
}

impl NmClient {
    /// Arms a checkpoint on `device` that NM rolls back unless Bondsmith keeps it alive.
    pub async fn arm_dead_man(&self, device: &OwnedObjectPath) -> Result<DeadMan> {
        let path = self
            .nm
            .checkpoint_create(&[device.as_ref()], DEAD_MAN_SECS, 0)
            .await
            .map_err(|e| from_dbus(e, "create a checkpoint for the failover test"))?;
        let nm = self.nm.clone();
        let p = path.clone();
        let beat = tokio::spawn(async move {
            loop {
                tokio::time::sleep(BEAT).await;
                if nm
                    .checkpoint_adjust_rollback_timeout(&p.as_ref(), DEAD_MAN_SECS)
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
        Ok(DeadMan { path, beat })
    }

    /// Destroys the checkpoint: the test has restored the port itself.
    pub async fn disarm(&self, dead_man: DeadMan) -> Result<()> {
        dead_man.beat.abort();
        self.nm
            .checkpoint_destroy(&dead_man.path.as_ref())
            .await
            .map_err(|e| from_dbus(e, "remove the failover test's checkpoint"))
    }

    /// Lets NM roll back now (the test could not restore the port itself).
    pub async fn roll_back_now(&self, dead_man: DeadMan) -> Result<()> {
        dead_man.beat.abort();
        self.nm
            .checkpoint_rollback(&dead_man.path.as_ref())
            .await
            .map(|_| ())
            .map_err(|e| from_dbus(e, "roll back the failover test's checkpoint"))
    }

    /// `Device.Disconnect`: NM releases the port from the bond.
    pub async fn disconnect_device(&self, device: &OwnedObjectPath) -> Result<()> {
        self.device_proxy(device)
            .await?
            .disconnect()
            .await
            .map_err(|e| from_dbus(e, "disconnect the port"))
    }

    /// Activates `profile` on `device` (a port joins its bond again).
    pub async fn activate_on(
        &self,
        profile: &OwnedObjectPath,
        device: &OwnedObjectPath,
    ) -> Result<()> {
        self.nm
            .activate_connection(&profile.as_ref(), &device.as_ref(), &root())
            .await
            .map(|_| ())
            .map_err(|e| from_dbus(e, "bring the port back"))
    }
}
