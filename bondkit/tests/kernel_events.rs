//! The kernel link-event stream survives an overflow: when the kernel drops events
//! (ENOBUFS on the netlink socket), the stream says so and goes on, instead of ending and
//! leaving a bond page or `bondctl status --watch` silently stale. Real kernel, real
//! netlink: a burst of veth links in a private network namespace against a tiny buffer.

use bondkit::kernel::LinkEvents;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    // A network namespace of our own, so the burst touches nothing else (needs root).
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        eprintln!(
            "KERNEL EVENT TEST CANNOT RUN: unshare(CLONE_NEWNET) failed ({}); run it as root.",
            std::io::Error::last_os_error()
        );
        std::process::exit(1);
    }
    // Subscribed, but not reading until the burst is over: the kernel must overflow the
    // tiny buffer whatever the timing (a reader that keeps up would prove nothing).
    let (events, go) = LinkEvents::subscribe_held(1024).expect("netlink socket");
    // Hundreds of link messages in one go, far more than the buffer holds.
    let batch: String = (0..300)
        .map(|i| format!("link add dm{i} type veth peer name pm{i}\n"))
        .collect();
    let mut ip = Command::new("ip")
        .args(["-batch", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("ip");
    use std::io::Write;
    ip.stdin
        .take()
        .unwrap()
        .write_all(batch.as_bytes())
        .unwrap();
    assert!(ip.wait().unwrap().success(), "ip -batch failed");
    go.send(()).expect("the reader thread is alive");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut overflowed = false;
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    // Read what arrived; then one more change after the burst must still come through.
    let st = Command::new("ip")
        .args(["link", "set", "dm1", "up"])
        .status()
        .unwrap();
    assert!(st.success());
    let mut saw_dm1_up = false;
    while Instant::now() < deadline && !(overflowed && saw_dm1_up) {
        let ev = match rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(2), events.next()).await })
        {
            Ok(Some(ev)) => ev,
            Ok(None) => {
                panic!("the event stream ended after {seen} events (overflow seen: {overflowed})")
            }
            Err(_) => break,
        };
        seen += 1;
        overflowed |= ev.overflow;
        saw_dm1_up |= ev.name.as_deref() == Some("dm1") && !ev.removed;
        if overflowed && !saw_dm1_up {
            // A change after the overflow must still arrive.
            let _ = Command::new("ip")
                .args(["link", "set", "dm1", "down"])
                .status();
            let _ = Command::new("ip")
                .args(["link", "set", "dm1", "up"])
                .status();
        }
    }
    println!("{seen} events read; overflow reported: {overflowed}; events after it: {saw_dm1_up}");
    assert!(
        overflowed,
        "the burst did not overflow the buffer, so this test proved nothing"
    );
    assert!(saw_dm1_up, "no event arrived after the overflow");
    println!("test kernel_events_survive_an_overflow ... ok");
}
