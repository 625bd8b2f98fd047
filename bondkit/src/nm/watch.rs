//! Change notifications from NetworkManager, so that views refresh on signals, never on a timer.

use super::client::NmClient;
use super::error::{from_dbus, NmError};
use futures_util::StreamExt;
use zbus::message::Type;
use zbus::MatchRule;

/// Signals after which a bond list or device view may be out of date.
const RELEVANT: &[&str] = &[
    "NewConnection",
    "ConnectionRemoved",
    "Updated",
    "StateChanged",
    "PropertiesChanged",
    "DeviceAdded",
    "DeviceRemoved",
];

impl NmClient {
    /// A tick for every NM signal that may change bonds, ports or devices.
    pub async fn changes(&self) -> Result<futures_util::stream::BoxStream<'static, ()>, NmError> {
        let err = |e| from_dbus(e, "watch NetworkManager");
        let rule = MatchRule::builder()
            .msg_type(Type::Signal)
            .sender("org.freedesktop.NetworkManager")
            .map_err(err)?
            .build();
        let stream = zbus::MessageStream::for_match_rule(rule, self.connection(), Some(256))
            .await
            .map_err(err)?;
        Ok(stream
            .filter_map(|msg| async move {
                let msg = msg.ok()?;
                let header = msg.header();
                RELEVANT.contains(&header.member()?.as_str()).then_some(())
            })
            .boxed())
    }
}
